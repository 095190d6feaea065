// ID token validation (OpenID Connect Core 3.1.3.7). MSAL does not validate the ID token at
// all (ENTRA.md), so this is the only thing standing between a forged token and a session.
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { issuerTenant } from "./idp-metadata.ts";
import type { TenantKind } from "./tenant-kind.ts";

/** Clock skew accepted on `exp`, `nbf` and `iat`: Entra's own servers allow 5 minutes. */
export const clockSkewSeconds = 300;
/**
 * How long ago an ID token may have been issued. Entra mints it while redeeming the code or
 * refresh token we just sent, so anything older is not this sign-in's (or this renewal's).
 */
export const maxIdTokenAgeSeconds = 600;

export interface IdTokenClaims extends JWTPayload {
  /** B2C: from the issuer, which names the tenant where a B2C token carries no `tid`. */
  tid: string;
  /** B2C: the `oid` claim, else `sub` when it is the object id (B2C's default). */
  oid: string;
  sub: string;
  /** B2C: the user flow that issued the token (`tfp`, or `acr` in older tenants). */
  policy?: string;
  given_name?: unknown;
  family_name?: unknown;
  /** B2C's e-mail addresses (External ID and Entra send `email`). */
  emails?: unknown;
  email?: unknown;
  name?: string;
  preferred_username?: string;
  login_hint?: string;
  /** Entra's session id: front-channel logout names it. */
  sid?: string;
  /** App roles assigned to the user in this app's registration. */
  roles?: unknown;
  nonce?: string;
}

export class IdTokenError extends Error {
  /** The keys could not be fetched: an outage, not a bad token. */
  readonly keysUnavailable: boolean;
  constructor(message: string, options?: { cause?: unknown; keysUnavailable?: boolean }) {
    super(message, options);
    this.name = "IdTokenError";
    this.keysUnavailable = options?.keysUnavailable ?? false;
  }
}

export interface IdTokenValidatorOptions {
  /** From the discovery document; may contain `{tenantid}` (common / organizations). */
  issuer: string;
  jwksUri: string;
  clientId: string;
  /**
   * Audiences besides our client id that a token may also name (OIDC Core 3.1.3.7 step 3).
   * None by default: a token minted for several apps is not only ours.
   */
  trustedAudiences?: readonly string[];
  timeoutMs: number;
  now: () => number;
  /** Default workforce. B2C tokens follow B2C's rules (see `createIdTokenValidator`). */
  tenantKind?: TenantKind;
  /** B2C: the user flow the token must name in `tfp` (or `acr`): the one this request ran. */
  policy?: string | undefined;
}

/**
 * `expectedNonce`: the sign-in transaction's nonce, which the token must carry; `undefined`
 * for a renewal's ID token, which carries none to compare.
 */
export type IdTokenValidator = (
  idToken: string,
  expectedNonce: string | undefined,
) => Promise<IdTokenClaims>;

/**
 * Verifies the signature (RS256 only) with the provider's published keys, refetching them
 * at most every 30 s when a token names an unknown `kid`; then `iss`, `aud` (ours, and no
 * audience we do not trust), `azp` (ours when present), `exp`, `nbf`, `iat` (not in the
 * future, not older than 10 minutes), `nonce`, and that `sub`, `oid` and `tid` are present.
 * Azure AD B2C's tokens carry no `tid` and may carry no `oid`: there the tenant is the one
 * the issuer names (a `tid`, if present, must be it), the object id is `oid` or else a `sub`
 * that is one (B2C's default), and `tfp` (or `acr`) must name the user flow this request ran,
 * so a token of another user flow or tenant kind is refused. Returns the claims with `tid`,
 * `oid` (and for B2C `policy`) filled in. Throws `IdTokenError` naming the first failed
 * check. Does not check `groups` or roles.
 */
export function createIdTokenValidator(options: IdTokenValidatorOptions): IdTokenValidator {
  const keys = createRemoteJWKSet(new URL(options.jwksUri), {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: 30_000,
  });
  const kind = options.tenantKind ?? "workforce";
  const b2c = kind === "b2c";
  const templated = options.issuer.includes("{tenantid}");
  // A single-tenant issuer names the tenant ("https://login.microsoftonline.com/<tid>/v2.0").
  const expectedTenant = templated ? undefined : issuerTenant(options.issuer, kind);

  return async (idToken, expectedNonce) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, keys, {
        algorithms: ["RS256"],
        audience: options.clientId,
        clockTolerance: clockSkewSeconds,
        currentDate: new Date(options.now()),
        requiredClaims: b2c
          ? ["iss", "aud", "exp", "iat", "sub"]
          : ["iss", "aud", "exp", "iat", "sub", "oid", "tid"],
      }));
    } catch (error) {
      throw new IdTokenError(describeJoseError(error), {
        cause: error,
        keysUnavailable: isKeyFetchFailure(error),
      });
    }

    for (const claim of b2c ? (["sub"] as const) : (["sub", "oid", "tid"] as const)) {
      const value = payload[claim];
      if (typeof value !== "string" || value === "") {
        throw new IdTokenError(`the \`${claim}\` claim is missing or not a string`);
      }
    }
    if (b2c && !expectedTenant) {
      throw new IdTokenError("the issuer names no tenant id, which a B2C token's tenant is");
    }
    const tid = b2c ? b2cTenant(payload, expectedTenant!) : (payload.tid as string);
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const untrusted = audiences.filter(
      (aud) => aud !== options.clientId && !options.trustedAudiences?.includes(String(aud)),
    );
    if (untrusted.length > 0) {
      throw new IdTokenError(
        `\`aud\` also names ${untrusted.length === 1 ? "an audience" : "audiences"} this app does not trust (${untrusted.map((a) => String(a).slice(0, 80)).join(", ")})`,
      );
    }
    if (payload.azp !== undefined && payload.azp !== options.clientId) {
      throw new IdTokenError(
        `\`azp\` is "${String(payload.azp).slice(0, 80)}", not this app's client id`,
      );
    }
    if (audiences.length > 1 && payload.azp === undefined) {
      throw new IdTokenError("a token with several audiences must name this app in `azp`");
    }
    // Multi-tenant authorities publish the issuer as a template: substitute this token's
    // tenant, so that each tenant can only issue tokens under its own issuer.
    const expectedIssuer = templated ? options.issuer.replace("{tenantid}", tid) : options.issuer;
    if (payload.iss !== expectedIssuer) {
      throw new IdTokenError(
        `\`iss\` is "${payload.iss}", expected "${expectedIssuer}" (the discovery document's issuer)`,
      );
    }
    if (expectedTenant !== undefined && tid.toLowerCase() !== expectedTenant) {
      throw new IdTokenError(
        `\`tid\` is "${tid}", expected the authority's tenant "${expectedTenant}"`,
      );
    }
    const policy = b2c ? b2cPolicy(payload, options.policy) : undefined;
    const issuedAt = payload.iat ?? 0;
    const nowSeconds = options.now() / 1000;
    if (issuedAt > nowSeconds + clockSkewSeconds) {
      throw new IdTokenError("`iat` is in the future");
    }
    if (issuedAt < nowSeconds - maxIdTokenAgeSeconds) {
      throw new IdTokenError(
        `\`iat\` is ${Math.round(nowSeconds - issuedAt)} s ago, more than ${maxIdTokenAgeSeconds} s: the token was not issued for this request`,
      );
    }
    if (expectedNonce !== undefined && payload.nonce === undefined) {
      throw new IdTokenError(
        "the `nonce` claim is missing: the token was not issued for this sign-in",
      );
    }
    if (expectedNonce !== undefined && payload.nonce !== expectedNonce) {
      throw new IdTokenError(
        "`nonce` does not match the sign-in transaction; the token was not issued for this sign-in",
      );
    }
    if (!b2c) return payload as IdTokenClaims;
    return {
      ...payload,
      tid,
      oid: b2cObjectId(payload),
      ...(policy ? { policy } : {}),
    } as IdTokenClaims;
  };
}

/** B2C: the issuer's tenant; a `tid` claim (custom policies may add one) must agree. */
function b2cTenant(payload: JWTPayload, issuerTenantId: string): string {
  if (payload.tid !== undefined && String(payload.tid).toLowerCase() !== issuerTenantId) {
    throw new IdTokenError(
      `\`tid\` is "${String(payload.tid).slice(0, 80)}", but the issuer names tenant "${issuerTenantId}"`,
    );
  }
  return issuerTenantId;
}

const objectId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** B2C: `oid` when the user flow returns it, else `sub`, which is the object id by default. */
function b2cObjectId(payload: JWTPayload): string {
  if (typeof payload.oid === "string" && payload.oid !== "") return payload.oid;
  if (typeof payload.sub === "string" && objectId.test(payload.sub)) return payload.sub;
  throw new IdTokenError(
    "the token names no object id: neither an `oid` claim nor a `sub` that is one (return the user's Object ID in the user flow's application claims)",
  );
}

/**
 * B2C: the user flow in `tfp` (or `acr`, B2C's older "claim representing policy ID") must be
 * the one this request ran: a token of another user flow is not this sign-in's.
 */
function b2cPolicy(payload: JWTPayload, expected: string | undefined): string {
  const named = typeof payload.tfp === "string" ? payload.tfp : payload.acr;
  if (typeof named !== "string" || named === "") {
    throw new IdTokenError(
      "the token names no user flow (`tfp` or `acr`), which every B2C token does",
    );
  }
  if (expected !== undefined && named.toLowerCase() !== expected.toLowerCase()) {
    throw new IdTokenError(
      `the token is of user flow "${named.slice(0, 100)}", not "${expected}" (the one this request ran)`,
    );
  }
  return expected ?? named;
}

function isKeyFetchFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  // fetch() failures (connection refused, TLS) are plain errors; a non-200 answer from
  // jwks_uri is a bare JOSEError.
  return !(error instanceof errors.JOSEError) || error.constructor === errors.JOSEError;
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token has expired (`exp`)";
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `claim \`${error.claim}\` failed validation (${error.reason}): ${error.message}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token is not signed with RS256";
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "no published signing key matches the token's `kid`";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the signature is invalid";
  if (error instanceof errors.JWKSTimeout) return "the signing keys could not be fetched in time";
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
