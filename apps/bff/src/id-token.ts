// ID token validation (OpenID Connect Core 3.1.3.7). MSAL does not validate the ID token at
// all (ENTRA.md), so this is the only thing standing between a forged token and a session.
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";

/** Clock skew accepted on `exp`, `nbf` and `iat`: Entra's own servers allow 5 minutes. */
export const clockSkewSeconds = 300;
/**
 * How long ago an ID token may have been issued. Entra mints it while redeeming the code or
 * refresh token we just sent, so anything older is not this sign-in's (or this renewal's).
 */
export const maxIdTokenAgeSeconds = 600;

export interface IdTokenClaims extends JWTPayload {
  tid: string;
  oid: string;
  sub: string;
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
 * Throws `IdTokenError` naming the first failed check. Does not check `groups` or roles.
 */
export function createIdTokenValidator(options: IdTokenValidatorOptions): IdTokenValidator {
  const keys = createRemoteJWKSet(new URL(options.jwksUri), {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: 30_000,
  });
  const templated = options.issuer.includes("{tenantid}");
  // A single-tenant issuer names the tenant ("https://login.microsoftonline.com/<tid>/v2.0").
  const expectedTenant = templated ? undefined : new URL(options.issuer).pathname.split("/")[1];

  return async (idToken, expectedNonce) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, keys, {
        algorithms: ["RS256"],
        audience: options.clientId,
        clockTolerance: clockSkewSeconds,
        currentDate: new Date(options.now()),
        requiredClaims: ["iss", "aud", "exp", "iat", "sub", "oid", "tid"],
      }));
    } catch (error) {
      throw new IdTokenError(describeJoseError(error), {
        cause: error,
        keysUnavailable: isKeyFetchFailure(error),
      });
    }

    for (const claim of ["sub", "oid", "tid"] as const) {
      const value = payload[claim];
      if (typeof value !== "string" || value === "") {
        throw new IdTokenError(`the \`${claim}\` claim is missing or not a string`);
      }
    }
    const tid = payload.tid as string;
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
    if (expectedTenant !== undefined && tid !== expectedTenant) {
      throw new IdTokenError(
        `\`tid\` is "${tid}", expected the authority's tenant "${expectedTenant}"`,
      );
    }
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
    return payload as IdTokenClaims;
  };
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
