// Signing in over HTTP as a browser would, without one: the BFF's /auth/login, the
// emulator's sign-in form, the BFF's /auth/callback, cookies carried by hand.
import { paths, signInErrorParam } from "@entra-bff/contract";
import { signInAs } from "@entra-bff/entra-emulator";
import { applySetCookies, cookieHeader, parseSetCookie, type StoredCookie } from "./cookies.ts";

const stepTimeoutMs = 10_000;

/**
 * Signs `upn` in and returns the session cookies the BFF set. Throws, naming the step, when
 * any answer differs from a successful sign-in's. `bffOrigin` is where to connect; the
 * emulator's redirect names the BFF's public origin, whose path and query are kept.
 */
export async function signIn(bffOrigin: string, upn: string): Promise<StoredCookie[]> {
  const jar = new Map<string, StoredCookie>();

  const login = await fetch(`${bffOrigin}${paths.login}?returnTo=%2F`, {
    redirect: "manual",
    signal: AbortSignal.timeout(stepTimeoutMs),
  });
  await login.arrayBuffer();
  const authorizeUrl = login.headers.get("location");
  if (login.status !== 302 || !authorizeUrl) {
    throw new Error(`${paths.login} answered ${login.status} (location ${authorizeUrl})`);
  }
  applySetCookies(jar, login.headers.getSetCookie());

  const callbackUrl = new URL((await signInAs(authorizeUrl, upn)).location);

  const callback = await fetch(`${bffOrigin}${callbackUrl.pathname}${callbackUrl.search}`, {
    redirect: "manual",
    headers: { cookie: cookieHeader(jar.values()) },
    signal: AbortSignal.timeout(stepTimeoutMs),
  });
  await callback.arrayBuffer();
  const landing = callback.headers.get("location") ?? "";
  if (callback.status !== 303 || landing.includes(`${signInErrorParam}=`)) {
    throw new Error(`${paths.callback} answered ${callback.status} → ${landing}`);
  }
  applySetCookies(jar, callback.headers.getSetCookie());
  if (jar.size === 0) throw new Error(`${paths.callback} set no session cookie`);
  return [...jar.values()];
}

/** Signs every user in, a few at a time; the sessions in the order of `upns`. */
export async function signInAll(bffOrigin: string, upns: string[]): Promise<StoredCookie[][]> {
  const sessions: StoredCookie[][] = [];
  for (let i = 0; i < upns.length; i += 4) {
    const batch = upns.slice(i, i + 4).map((upn) => signIn(bffOrigin, upn));
    sessions.push(...(await Promise.all(batch)));
  }
  return sessions;
}

/**
 * One request before the load, so that a broken path fails here with its answer rather
 * than as thousands of anonymous non-2xx. Returns a note of the cookies the response set
 * and cleared.
 */
export async function probe(
  name: string,
  url: string,
  cookies: StoredCookie[],
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(url, {
    headers: { ...headers, cookie: cookieHeader(cookies) },
    signal: AbortSignal.timeout(stepTimeoutMs),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${name} answered ${response.status}: ${body}`);
  const answered = response.headers.getSetCookie().map(parseSetCookie);
  const named = (deletes: boolean) =>
    answered.filter((cookie) => cookie.deletes === deletes).map((cookie) => cookie.name);
  const set = named(false);
  const cleared = named(true);
  if (set.length + cleared.length === 0) return `${name}: 200, no Set-Cookie.`;
  return `${name}: 200, sets ${set.join(", ") || "nothing"}; clears ${cleared.join(", ") || "nothing"}.`;
}
