// What of a validated ID token the session keeps, and how much of it. Every value copied into
// the identity cookie is bounded: a huge claim must neither produce a cookie the browser
// silently drops (> 4 KB) nor a Cookie header that locks the user out (Node's 431 at 16 KB).
import type { SessionUser } from "@entra-bff/contract";
import type { IdTokenClaims } from "../id-token.ts";
import type { TenantKind } from "../tenant-kind.ts";
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

/**
 * What `/api/me` answers from where Graph has no profile for the user (Azure AD B2C): the
 * ID token's names and first e-mail address, bounded like the rest of the identity.
 */
export interface ClaimsProfile {
  displayName?: string;
  givenName?: string;
  surname?: string;
  email?: string;
}

export interface SessionIdentityFields {
  user: SessionUser;
  sub: string;
  loginHint: string | undefined;
  idpSid: string | undefined;
  /** B2C: the user flow whose refresh token the session holds (it alone redeems it). */
  policy?: string | undefined;
  /** B2C: the profile from the ID token's claims. */
  profile?: ClaimsProfile | undefined;
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
export function sessionUserFromClaims(
  claims: IdTokenClaims,
  kind: TenantKind = "workforce",
): SessionUserResult {
  const b2c = kind === "b2c";
  if (!guid.test(claims.oid)) return { problem: "`oid` is not an object id (a GUID)" };
  if (!guid.test(claims.tid)) return { problem: "`tid` is not a tenant id (a GUID)" };
  // Entra's `sub` is pairwise base64url; B2C's is the object id, or with the legacy "Not
  // supported" setting a fixed sentence (the object id is then `oid`).
  const subject = b2c ? /^[\x20-\x7e]+$/ : /^[A-Za-z0-9._~-]+$/;
  if (claims.sub.length > limits.sub || !subject.test(claims.sub)) {
    return { problem: "`sub` is not a pairwise subject identifier" };
  }
  // Customers have no UPN: their e-mail address (B2C's first `emails`) names them.
  const emails = Array.isArray(claims.emails) ? claims.emails : [];
  const email = stringClaim(claims.email) || stringClaim(emails.find((e) => typeof e === "string"));
  const username = stringClaim(claims.preferred_username) || (kind === "workforce" ? "" : email);
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
  const profile = b2c ? claimsProfile(claims, rawName, email, dropped) : undefined;

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
      ...(b2c && claims.policy ? { policy: claims.policy } : {}),
      ...(profile ? { profile } : {}),
    },
    dropped,
  };
}

/** The names and e-mail address a B2C ID token carries, each bounded; absent ones left out. */
function claimsProfile(
  claims: IdTokenClaims,
  rawName: string,
  email: string,
  dropped: string[],
): ClaimsProfile {
  const named = (value: string, claim: string): string | undefined => {
    if (!value) return undefined;
    if (value.length > limits.name) dropped.push(`${claim} (truncated)`);
    return truncate(value, limits.name);
  };
  // An oversized `name` is already reported (the session's name is truncated too).
  const displayName = rawName ? truncate(rawName, limits.name) : undefined;
  const givenName = named(stringClaim(claims.given_name), "given_name");
  const surname = named(stringClaim(claims.family_name), "family_name");
  let kept: string | undefined = email || undefined;
  if (kept && (kept.length > limits.username || !/^[^\s@]+@[^\s@]+$/.test(kept))) {
    dropped.push("emails");
    kept = undefined;
  }
  return {
    ...(displayName ? { displayName } : {}),
    ...(givenName ? { givenName } : {}),
    ...(surname ? { surname } : {}),
    ...(kept ? { email: kept } : {}),
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
