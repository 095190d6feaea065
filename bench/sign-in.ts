// Signing in over HTTP as a browser would, without one: the server's login path, the
// emulator's sign-in form, the server's callback, cookies carried by hand. The BFF's routes
// by default; the peers' (bench/peers/routes.ts) by a SignInRoute of their own.
import { paths, signInErrorParam } from "@entra-bff/contract";
import { signInAs } from "@entra-bff/entra-emulator";
import { applySetCookies, cookieHeader, parseSetCookie, type StoredCookie } from "./cookies.ts";
import { peerPaths } from "./peers/routes.ts";

const stepTimeoutMs = 10_000;

/** How one server starts and completes a sign-in. */
export interface SignInRoute {
  /** Path and query that start a sign-in: answered with a redirect to the authorize URL. */
  login: string;
  /** The callback's status for a completed sign-in. */
  callbackStatus: number;
  /** Whether the callback's redirect reports a failure rather than a session. */
  failed(location: string): boolean;
}

export const signInRoutes = {
  bff: {
    login: `${paths.login}?returnTo=%2F`,
    callbackStatus: 303,
    failed: (location) => location.includes(`${signInErrorParam}=`),
  },
  // Both answer a failure with an error page rather than a redirect.
  openidConnect: {
    login: peerPaths.openidConnect.login,
    callbackStatus: 302,
    failed: () => false,
  },
  msalSession: {
    login: peerPaths.msalSession.login,
    callbackStatus: 302,
    failed: () => false,
  },
} as const satisfies Record<string, SignInRoute>;

/**
 * Signs `upn` in and returns the session cookies the server set. Throws, naming the step,
 * when any answer differs from a successful sign-in's. `origin` is where to connect; the
 * emulator's redirect names the server's public origin, whose path and query are kept.
 */
export async function signIn(
  origin: string,
  upn: string,
  route: SignInRoute = signInRoutes.bff,
): Promise<StoredCookie[]> {
  const jar = new Map<string, StoredCookie>();

  const login = await fetch(`${origin}${route.login}`, {
    redirect: "manual",
    signal: AbortSignal.timeout(stepTimeoutMs),
  });
  await login.arrayBuffer();
  const authorizeUrl = login.headers.get("location");
  if (login.status !== 302 || !authorizeUrl) {
    throw new Error(`${route.login} answered ${login.status} (location ${authorizeUrl})`);
  }
  applySetCookies(jar, login.headers.getSetCookie());

  const callbackUrl = new URL((await signInAs(authorizeUrl, upn)).location);

  const callback = await fetch(`${origin}${callbackUrl.pathname}${callbackUrl.search}`, {
    redirect: "manual",
    headers: { cookie: cookieHeader(jar.values()) },
    signal: AbortSignal.timeout(stepTimeoutMs),
  });
  const body = await callback.text();
  const landing = callback.headers.get("location") ?? "";
  if (callback.status !== route.callbackStatus || route.failed(landing)) {
    throw new Error(
      `${callbackUrl.pathname} answered ${callback.status} → ${landing || body.slice(0, 300)}`,
    );
  }
  applySetCookies(jar, callback.headers.getSetCookie());
  if (jar.size === 0) throw new Error(`${callbackUrl.pathname} set no session cookie`);
  return [...jar.values()];
}

/** Signs every user in, a few at a time; the sessions in the order of `upns`. */
export async function signInAll(
  origin: string,
  upns: string[],
  route: SignInRoute = signInRoutes.bff,
): Promise<StoredCookie[][]> {
  const sessions: StoredCookie[][] = [];
  for (let i = 0; i < upns.length; i += 4) {
    const batch = upns.slice(i, i + 4).map((upn) => signIn(origin, upn, route));
    sessions.push(...(await Promise.all(batch)));
  }
  return sessions;
}

export interface ProbeOptions {
  cookies?: StoredCookie[];
  headers?: Record<string, string>;
  /** The answer must be a session answer with `authenticated: true`. */
  signedIn?: boolean;
}

/**
 * One request before the load, so that a broken path fails here with its answer rather
 * than as thousands of anonymous non-2xx (or, for a session answer, as thousands of fast
 * "not signed in"). Returns a note of the cookies the response set and cleared.
 */
export async function probe(
  name: string,
  url: string,
  options: ProbeOptions = {},
): Promise<string> {
  const { status, body, setCookies } = await request(url, options);
  if (status !== 200) throw new Error(`${name} answered ${status}: ${body.slice(0, 500)}`);
  if (options.signedIn && !isSignedIn(body)) {
    throw new Error(`${name} answered 200 but not signed in: ${body.slice(0, 500)}`);
  }
  const answered = setCookies.map(parseSetCookie);
  const named = (deletes: boolean) =>
    answered.filter((cookie) => cookie.deletes === deletes).map((cookie) => cookie.name);
  const set = named(false);
  const cleared = named(true);
  if (set.length + cleared.length === 0) return `${name}: 200, no Set-Cookie.`;
  return `${name}: 200, sets ${set.join(", ") || "nothing"}; clears ${cleared.join(", ") || "nothing"}.`;
}

export interface RequestOptions extends Pick<ProbeOptions, "cookies" | "headers"> {
  method?: "GET" | "POST" | "DELETE";
  /** Sent as JSON. */
  json?: unknown;
}

/** One request, its status and body, never throwing on a status (only on no answer). */
export async function request(
  url: string,
  options: RequestOptions = {},
): Promise<{ status: number; body: string; setCookies: string[]; etag?: string }> {
  const response = await fetch(url, {
    method: options.method ?? "GET",
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    headers: {
      ...(options.json === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
      ...(options.cookies ? { cookie: cookieHeader(options.cookies) } : {}),
    },
    signal: AbortSignal.timeout(stepTimeoutMs),
  });
  return {
    status: response.status,
    body: await response.text(),
    setCookies: response.headers.getSetCookie(),
    ...(response.headers.has("etag") ? { etag: response.headers.get("etag")! } : {}),
  };
}

function isSignedIn(body: string): boolean {
  try {
    return (JSON.parse(body) as { authenticated?: unknown }).authenticated === true;
  } catch {
    return false;
  }
}
