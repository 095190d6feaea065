/** Sends the user through sign-in when the BFF asks for it (claims challenge, consent), without looping. */
import { apiErrorCodes } from "@entra-bff/contract";
import { isApiRequestError } from "../../api/client.ts";
import { isSameOrigin, navigateTo } from "../../lib/navigation.ts";
import { currentReturnTo } from "./sign-in-url.ts";

export type InteractiveSignInCode =
  | typeof apiErrorCodes.claimsChallenge
  | typeof apiErrorCodes.consentRequired;

const interactiveCodes: ReadonlySet<string> = new Set<InteractiveSignInCode>([
  apiErrorCodes.claimsChallenge,
  apiErrorCodes.consentRequired,
]);

/**
 * A round trip through Microsoft sign-in (with an MFA prompt or a consent screen) takes
 * seconds to a minute. A challenge back within two minutes of an automatic redirect means
 * signing in did not satisfy the BFF (a policy the user cannot meet, a misconfigured app),
 * and redirecting again would loop forever: the user gets a button instead. A later
 * challenge (a new CAE event) is a new requirement and redirects again.
 */
export const loopGuardWindowMs = 2 * 60_000;

/** Per tab (sessionStorage): only the tab that was redirected knows it came back from sign-in. */
export const loopGuardStorageKey = "entra-bff:interactive-sign-in";

interface RedirectRecord {
  code: string;
  at: number;
  /** The query whose challenge caused the redirect (its hash), when a query's did. */
  origin?: string;
}

/** What the BFF asked for: a sign-in with `loginUrl`, now returning to the current page. */
export interface SignInRequest {
  code: InteractiveSignInCode;
  loginUrl: string;
}

export type InteractiveSignIn =
  /** The browser is on its way to `request.loginUrl`. */
  | { status: "redirecting"; request: SignInRequest }
  /**
   * The user has to follow the link: `repeated` when an automatic redirect just happened and
   * did not help, `unguarded` when there is no per-tab storage to guard against a loop.
   */
  | { status: "manual"; request: SignInRequest; reason: "repeated" | "unguarded" };

/**
 * The sign-in the BFF asks for with a `401 { code, loginUrl }`, or undefined for any other
 * error. Only a same-origin `loginUrl` counts: a foreign one would be an open redirect. The
 * BFF cannot know the page (the SPA is served with `Referrer-Policy: no-referrer`), so its
 * `returnTo` is replaced by the current page; every other parameter (`claims`, `scopes`) is
 * kept as sent.
 */
export function signInRequestOf(error: unknown): SignInRequest | undefined {
  if (!isApiRequestError(error) || error.status !== 401) return undefined;
  if (!interactiveCodes.has(error.code) || !error.loginUrl) return undefined;
  if (!isSameOrigin(error.loginUrl)) return undefined;
  const url = new URL(error.loginUrl, window.location.href);
  return {
    code: error.code as InteractiveSignInCode,
    loginUrl: `${url.pathname}${withReturnTo(url.search, currentReturnTo())}`,
  };
}

/** Swaps the `returnTo` parameter without re-encoding the others, as URLSearchParams would. */
function withReturnTo(search: string, returnTo: string): string {
  const ours = new URLSearchParams({ returnTo }).toString();
  const others = search
    .slice(1)
    .split("&")
    .filter((pair) => pair !== "" && decodeName(pair) !== "returnTo");
  return `?${[ours, ...others].join("&")}`;
}

function decodeName(pair: string): string {
  const name = pair.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(name.replaceAll("+", " "));
  } catch {
    return name;
  }
}

// Decided once per error by the query client's handler; the UI only reads the decision. The
// query cache calls its `onError` as the query fails, before React re-renders with the error,
// and an error seen twice (a failed `fetchQuery` inside a mutation) is not decided again.
const decisions = new WeakMap<object, InteractiveSignIn>();

/**
 * How the UI shows `error`: undefined when it is no sign-in request. An error the handler
 * has not seen (it did not come through the query client) gets the manual link, never a
 * "redirecting" status without a redirect.
 */
export function interactiveSignInFor(error: unknown): InteractiveSignIn | undefined {
  const request = signInRequestOf(error);
  if (!request) return undefined;
  return decisions.get(error as object) ?? { status: "manual", request, reason: "unguarded" };
}

export interface InteractiveSignInHandler {
  /**
   * Call with every failed query's and mutation's error (`origin`: the query's hash);
   * redirects when that is safe.
   */
  handle(error: unknown, origin?: string): void;
  /**
   * A protected query succeeded. When it is the one whose challenge caused the last redirect
   * (or that redirect came from a mutation), the redirect did its job: forget it. Another
   * query's success proves nothing about that requirement (it may need another resource's
   * token), and forgetting would let the challenge redirect again at once: a loop.
   */
  satisfied(origin: string): void;
}

/**
 * One per query client (one per page). Redirects at most once per page: a second challenge
 * while the browser is already leaving shows the same status instead of a second navigation.
 * Does not broadcast to other tabs: only the tab that saw the challenge goes to sign-in.
 */
export function createInteractiveSignIn(): InteractiveSignInHandler {
  let leaving = false;
  return {
    handle(error, origin) {
      const request = signInRequestOf(error);
      if (!request || decisions.has(error as object)) return;
      if (leaving) {
        decisions.set(error as object, { status: "redirecting", request });
        return;
      }
      const decision = decide(request, Date.now(), origin);
      decisions.set(error as object, decision);
      if (decision.status === "redirecting") {
        leaving = true;
        navigateTo(request.loginUrl);
      }
    },
    satisfied(origin) {
      try {
        const storage = window.sessionStorage;
        const last = parseRecord(storage.getItem(loopGuardStorageKey));
        if (last && (last.origin === undefined || last.origin === origin)) {
          storage.removeItem(loopGuardStorageKey);
        }
      } catch {
        // No storage, no record to forget.
      }
    },
  };
}

/** Records the redirect before making it: without a record there is no loop guard, so no redirect. */
function decide(request: SignInRequest, now: number, origin?: string): InteractiveSignIn {
  try {
    const storage = window.sessionStorage;
    const last = parseRecord(storage.getItem(loopGuardStorageKey));
    // Either direction: a clock set back a little must not turn the guard off.
    const recent = last !== undefined && Math.abs(now - last.at) < loopGuardWindowMs;
    // Any challenge, not only the same one: two requirements that keep replacing each other
    // (a claims challenge, then consent, then the claims again) would loop just the same.
    if (recent) return { status: "manual", request, reason: "repeated" };
    const record: RedirectRecord = { code: request.code, at: now, ...(origin ? { origin } : {}) };
    storage.setItem(loopGuardStorageKey, JSON.stringify(record));
    return { status: "redirecting", request };
  } catch {
    return { status: "manual", request, reason: "unguarded" };
  }
}

function parseRecord(value: string | null): RedirectRecord | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { code, at, origin } = parsed as Record<string, unknown>;
    if (typeof code !== "string" || typeof at !== "number") return undefined;
    return typeof origin === "string" ? { code, at, origin } : { code, at };
  } catch {
    return undefined;
  }
}
