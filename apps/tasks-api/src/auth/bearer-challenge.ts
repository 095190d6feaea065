// `WWW-Authenticate: Bearer …` (RFC 6750 section 3), as Microsoft Graph sends it.
import type { BearerChallenge } from "../errors.ts";

/**
 * Formats the challenge. Values are reduced to RFC 6750's allowed characters (printable
 * ASCII without `"` and `\`) and bounded: a description may quote a claim from the token,
 * and an attacker must not be able to break the header or bloat it.
 */
export function bearerChallenge(realm: string, challenge: BearerChallenge): string {
  const params = [`realm="${headerSafe(realm, 200)}"`];
  if (challenge.error) params.push(`error="${challenge.error}"`);
  if (challenge.description) {
    params.push(`error_description="${headerSafe(challenge.description, 300)}"`);
  }
  if (challenge.scope) params.push(`scope="${headerSafe(challenge.scope, 200)}"`);
  return `Bearer ${params.join(", ")}`;
}

function headerSafe(value: string, maxLength: number): string {
  const safe = value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "?");
  return safe.length > maxLength ? `${safe.slice(0, maxLength - 3)}...` : safe;
}
