// What of a validated ID token the session keeps, and how much of it. Every value copied into
// the identity cookie is bounded: a huge claim must neither produce a cookie the browser
// silently drops (> 4 KB) nor a Cookie header that locks the user out (Node's 431 at 16 KB).
import type { SessionUser } from "@entra-bff/contract";
import type { IdTokenClaims } from "../id-token.ts";
import { isIdpSessionId } from "./revocation.ts";

export const limits = {
  /** Display names are truncated to this many characters (with "…"). */
  name: 128,
  /** A UPN is at most 113 characters and an e-mail address 254: longer is not a username. */
  username: 320,
  /** `sub` is 43 base64url characters at Entra. */
  sub: 128,
  /** Entra's `login_hint` is an opaque ~200-character value; a longer one is dropped. */
  loginHint: 1024,
  /** App roles kept (the first ones; the cookie must stay small — use few, coarse roles). */
  roles: 20,
  roleLength: 120,
} as const;

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// Entra app role values: no spaces; printable ASCII.
const roleValue = /^[\x21-\x7e]+$/;

export interface SessionIdentityFields {
  user: SessionUser;
  sub: string;
  loginHint: string | undefined;
  idpSid: string | undefined;
}

export type SessionUserResult =
  | { ok: SessionIdentityFields; dropped: string[] }
  | { problem: string };

/**
 * The session's view of the user. Refuses (with a reason for the sign-in error) what no
 * Entra token carries: a non-GUID `oid` or `tid`, an oversized username or `sub`. Truncates
 * what only displays (`name`), drops what is optional (`login_hint`, surplus roles) and
 * reports what it dropped.
 */
export function sessionUserFromClaims(claims: IdTokenClaims): SessionUserResult {
  if (!guid.test(claims.oid)) return { problem: "`oid` is not an object id (a GUID)" };
  if (!guid.test(claims.tid)) return { problem: "`tid` is not a tenant id (a GUID)" };
  if (claims.sub.length > limits.sub || !/^[A-Za-z0-9._~-]+$/.test(claims.sub)) {
    return { problem: "`sub` is not a pairwise subject identifier" };
  }
  const username = stringClaim(claims.preferred_username);
  if (username.length > limits.username) {
    return {
      problem: `\`preferred_username\` is ${username.length} characters long, more than a username can be (${limits.username})`,
    };
  }
  const dropped: string[] = [];
  const rawName = stringClaim(claims.name);
  const name = truncate(rawName || username, limits.name);
  if (rawName.length > limits.name) dropped.push("name (truncated)");

  let loginHint = stringClaim(claims.login_hint) || undefined;
  if (loginHint && (loginHint.length > limits.loginHint || !/^[\x21-\x7e]+$/.test(loginHint))) {
    loginHint = undefined;
    dropped.push("login_hint");
  }
  const roles = boundedRoles(claims.roles, dropped);

  return {
    ok: {
      user: {
        name,
        username,
        oid: claims.oid,
        tenantId: claims.tid,
        ...(roles.length > 0 ? { roles } : {}),
      },
      sub: claims.sub,
      loginHint,
      idpSid: isIdpSessionId(claims.sid) ? claims.sid : undefined,
    },
    dropped,
  };
}

function boundedRoles(value: unknown, dropped: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    dropped.push("roles (not a list)");
    return [];
  }
  const valid = [
    ...new Set(
      value.filter(
        (role): role is string =>
          typeof role === "string" && role.length <= limits.roleLength && roleValue.test(role),
      ),
    ),
  ];
  if (valid.length < value.length) dropped.push("roles (malformed values)");
  if (valid.length > limits.roles) dropped.push(`roles (beyond the first ${limits.roles})`);
  return valid.slice(0, limits.roles);
}

function stringClaim(value: unknown): string {
  return typeof value === "string" ? value.replace(controlCharacters, "").trim() : "";
}

/** Cuts at a code point boundary, so no half surrogate pair reaches the cookie. */
function truncate(value: string, max: number): string {
  const characters = [...value];
  return characters.length <= max ? value : `${characters.slice(0, max - 1).join("")}…`;
}
