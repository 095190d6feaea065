// How session ids appear in logs: a short keyed hash, the same for one session within this
// process (so its lines can be followed) and useless outside it (a log reader cannot present
// it as a cookie, nor match it against another instance's logs or a leaked cookie value).
import { createHmac, randomBytes } from "node:crypto";

const key = randomBytes(32);

/** 12 base64url characters (72 bits) of HMAC-SHA-256 under a per-process random key. */
export function logId(sessionId: string): string {
  return createHmac("sha256", key).update(sessionId).digest("base64url").slice(0, 12);
}
