// Microsoft Graph `GET /me` with the user's delegated access token, with a timeout and
// Graph's failures mapped to the contract's error codes.
import { apiErrorCodes, type Profile, profileFields } from "@entra-bff/contract";
import { describeFetchError } from "@entra-bff/service-kit";
import type { Dispatcher } from "undici";
import { BffError } from "./errors.ts";
import { isTimeout } from "./http-client.ts";
import type { Metrics } from "./metrics.ts";

/** Graph answered 401: the token is no longer accepted, or (CAE) more claims are needed. */
export class GraphUnauthorizedError extends Error {
  /** Decoded claims request (JSON) of an `insufficient_claims` challenge. */
  readonly claims: string | undefined;
  constructor(claims: string | undefined) {
    super(
      claims
        ? "Graph requires additional claims (insufficient_claims)"
        : "Graph rejected the access token",
    );
    this.name = "GraphUnauthorizedError";
    this.claims = claims;
  }
}

/**
 * The signed-in user's profile. Throws `GraphUnauthorizedError` on 401 and `BffError`
 * otherwise: `graph_timeout` 504, `graph_unavailable` 503 (429, 503, unreachable; with
 * `Retry-After`), `graph_error` 502 (any other answer). Does not retry or follow redirects.
 */
export async function fetchProfile(
  http: Dispatcher,
  graphBaseUrl: string,
  accessToken: string,
  timeoutMs: number,
  metrics?: Pick<Metrics, "graphRequest">,
): Promise<Profile> {
  const started = performance.now();
  const observe = (status: string) =>
    metrics?.graphRequest(status, (performance.now() - started) / 1000);
  const url = new URL(`${graphBaseUrl}/me`);
  let response: { status: number; headers: Record<string, string | string[] | undefined> };
  let text: string;
  try {
    const answer = await http.request({
      origin: url.origin,
      path: url.pathname,
      method: "GET",
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    text = await answer.body.text();
    response = { status: answer.statusCode, headers: answer.headers };
    observe(String(response.status));
  } catch (error) {
    const timedOut = isTimeout(error);
    observe(timedOut ? "timeout" : "network_error");
    if (timedOut) {
      throw new BffError(
        apiErrorCodes.graphTimeout,
        504,
        `Microsoft Graph did not answer within ${timeoutMs} ms.`,
        { cause: error },
      );
    }
    throw new BffError(
      apiErrorCodes.graphUnavailable,
      503,
      `Microsoft Graph could not be reached: ${describeFetchError(error)}.`,
      { cause: error, retryAfter: "5" },
    );
  }
  const header = (name: string) => {
    const value = response.headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? null;
  };

  if (response.status === 401) {
    throw new GraphUnauthorizedError(claimsChallenge(header("www-authenticate")));
  }
  if (response.status === 429 || response.status === 503) {
    throw new BffError(
      apiErrorCodes.graphUnavailable,
      503,
      response.status === 429
        ? "Microsoft Graph is throttling requests; try again after Retry-After seconds."
        : "Microsoft Graph is temporarily unavailable; try again after Retry-After seconds.",
      { retryAfter: retryAfterSeconds(header("retry-after")) },
    );
  }
  if (response.status < 200 || response.status > 299) {
    throw new BffError(
      apiErrorCodes.graphError,
      502,
      `Microsoft Graph answered HTTP ${response.status}${graphErrorCode(text)}.`,
    );
  }

  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BffError(
      apiErrorCodes.graphError,
      502,
      "Microsoft Graph answered with a body that is not JSON.",
    );
  }
  if (typeof body.id !== "string") {
    throw new BffError(apiErrorCodes.graphError, 502, "Microsoft Graph's /me answer has no `id`.");
  }
  // Only the contract's fields: `@odata.context` and anything added later stay here.
  const profile: Record<string, unknown> = {};
  for (const field of profileFields) {
    profile[field] =
      field === "businessPhones"
        ? Array.isArray(body[field])
          ? body[field]
          : []
        : (body[field] ?? null);
  }
  return profile as Profile;
}

/**
 * `WWW-Authenticate: Bearer realm="", error="insufficient_claims", claims="<base64 JSON>"`
 * → the claims JSON, as MSAL's `claims` request parameter wants it.
 */
export function claimsChallenge(header: string | null): string | undefined {
  if (!header) return undefined;
  const params = new Map<string, string>();
  for (const match of header.matchAll(/([A-Za-z_]+)="([^"]*)"/g))
    params.set(match[1]!.toLowerCase(), match[2]!);
  if (params.get("error") !== "insufficient_claims") return undefined;
  const encoded = params.get("claims");
  if (!encoded) return undefined;
  try {
    const json = Buffer.from(encoded, "base64").toString("utf8");
    JSON.parse(json);
    return json;
  } catch {
    return undefined;
  }
}

/** `Retry-After` as delta-seconds: a number as given, an HTTP date converted, else 5. */
export function retryAfterSeconds(value: string | null | undefined): string {
  if (value && /^\d{1,6}$/.test(value.trim())) return value.trim();
  if (value) {
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return String(Math.max(1, Math.ceil((date - Date.now()) / 1000)));
  }
  return "5";
}

function graphErrorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? ` (${code.slice(0, 100)})` : "";
  } catch {
    return "";
  }
}
