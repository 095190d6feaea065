/**
 * Optional claims (the manifest's `optionalClaims`): the claims an app asks Entra to add to
 * its ID tokens, or an API to the access tokens issued for it.
 */
import type { ClientRegistration, OptionalClaims, TestUser } from "./types.ts";

type TokenKind = keyof OptionalClaims;

/** The optional claims the emulator can issue, per token kind. */
export const supportedOptionalClaims: Readonly<Record<TokenKind, readonly string[]>> = {
  idToken: [
    "acct",
    "auth_time",
    "ctry",
    "email",
    "family_name",
    "given_name",
    "login_hint",
    "sid",
    "upn",
    "verified_primary_email",
    "xms_pl",
  ],
  accessToken: ["aud", "idtyp", "sid"],
};

export function hasOptionalClaim(
  registration: ClientRegistration,
  kind: TokenKind,
  name: string,
  additionalProperty?: string,
): boolean {
  return (registration.optionalClaims?.[kind] ?? []).some(
    (claim) =>
      claim.name === name &&
      (additionalProperty === undefined ||
        (claim.additionalProperties ?? []).includes(additionalProperty)),
  );
}

/**
 * The ID token's optional claims for `user`. `family_name`, `given_name` and `upn` need the
 * `profile` scope, as at Entra. `sid` is in every ID token already; asking for it changes
 * nothing.
 */
export function optionalIdTokenClaims(
  client: ClientRegistration,
  context: {
    user: TestUser;
    tenantId: string;
    profile: boolean;
    loginHint: string;
    authTime: number | undefined;
  },
): Record<string, unknown> {
  const { user, profile } = context;
  const claims: Record<string, unknown> = {};
  for (const { name } of client.optionalClaims?.idToken ?? []) {
    switch (name) {
      case "acct":
        claims.acct = 0; // a member of the tenant (1 = guest)
        break;
      case "auth_time":
        if (context.authTime !== undefined) claims.auth_time = Math.floor(context.authTime / 1000);
        break;
      case "ctry":
        if (user.country && /^[A-Z]{2}$/.test(user.country)) claims.ctry = user.country;
        break;
      case "family_name":
        if (profile) claims.family_name = user.surname;
        break;
      case "given_name":
        if (profile) claims.given_name = user.givenName;
        break;
      case "login_hint":
        claims.login_hint = context.loginHint;
        break;
      case "upn":
        if (profile) claims.upn = user.userPrincipalName;
        break;
      case "verified_primary_email":
        if (user.mail) claims.verified_primary_email = [user.mail];
        break;
      case "xms_pl":
        if (user.preferredLanguage) claims.xms_pl = user.preferredLanguage.toLowerCase();
        break;
    }
  }
  return claims;
}

/**
 * A registration's optional claims must be ones the emulator issues: a typo would otherwise
 * silently leave a claim out. Throws a TypeError naming the claim.
 */
export function assertOptionalClaims(registration: ClientRegistration): void {
  const configured = registration.optionalClaims;
  if (configured === undefined) return;
  for (const kind of Object.keys(configured) as TokenKind[]) {
    const supported = supportedOptionalClaims[kind];
    if (!supported) {
      throw new TypeError(
        `optionalClaims.${kind} of ${registration.clientId}: the emulator knows idToken and accessToken`,
      );
    }
    for (const claim of configured[kind] ?? []) {
      if (!supported.includes(claim?.name)) {
        throw new TypeError(
          `optional claim "${claim?.name}" in ${kind} of ${registration.clientId} is not one the emulator issues (${supported.join(", ")})`,
        );
      }
    }
  }
}
