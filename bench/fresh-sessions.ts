// Keeping the load's sessions as a browser keeps them. The BFF extends a session's idle
// expiry at most once a minute (apps/bff/src/session/identity.ts), re-issuing the identity
// cookie; a browser stores the new cookie, and its next minute of requests carries it. The
// load replays fixed cookies, so a phase that starts more than a minute after they were set
// would pay for a re-issue (an AEAD seal and a Set-Cookie) on every request: a cost no
// browser causes, and one that measured the cookie codec instead of the phase's path.
import { paths } from "@entra-bff/contract";
import { applySetCookies, type StoredCookie } from "./cookies.ts";
import { request } from "./sign-in.ts";

/**
 * One request per session that extends it, as a browser's first request of the minute does,
 * and the cookies it set kept (each session's array updated in place). Returns how many
 * sessions were re-issued. Throws when a session is no longer signed in.
 */
export async function keepSessionsFresh(
  origin: string,
  sessions: StoredCookie[][],
  headers: Record<string, string>,
): Promise<number> {
  let reissued = 0;
  for (const cookies of sessions) {
    const answer = await request(`${origin}${paths.me}`, { cookies, headers });
    if (answer.status !== 200) {
      throw new Error(
        `keeping a session fresh: ${paths.me} answered ${answer.status}: ${answer.body.slice(0, 300)}`,
      );
    }
    if (answer.setCookies.length === 0) continue;
    const jar = new Map(cookies.map((cookie) => [cookie.name, cookie]));
    applySetCookies(jar, answer.setCookies);
    cookies.splice(0, cookies.length, ...jar.values());
    reissued++;
  }
  return reissued;
}
