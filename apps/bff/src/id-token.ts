// ID token validation (OpenID Connect Core 3.1.3.7). MSAL does not validate the ID token at
// all (ENTRA.md), so this is the only thing standing between a forged token and a session.
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";

/** Clock skew accepted on `exp`, `nbf` and `iat`: Entra's own servers allow 5 minutes. */
export const clockSkewSeconds = 300;

export interface IdTokenClaims extends JWTPayload {
  tid: string;
  oid?: string;
  name?: string;
  preferred_username?: string;
  login_hint?: string;
  /** Entra's session id: front-channel logout names it. */
  sid?: string;
  nonce: string;
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
  timeoutMs: number;
  now: () => number;
}

export type IdTokenValidator = (idToken: string, expectedNonce: string) => Promise<IdTokenClaims>;

/**
 * Verifies the signature (RS256 only) with the provider's published keys, refetching them
 * at most every 30 s when a token names an unknown `kid`; then `iss`, `aud`, `exp`, `nbf`,
 * `iat`, `nonce` and `tid`. Throws `IdTokenError` naming the first failed check.
 * Does not check `azp`, `groups` or roles.
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
        requiredClaims: ["iss", "aud", "exp", "iat", "nonce", "tid"],
      }));
    } catch (error) {
      throw new IdTokenError(describeJoseError(error), {
        cause: error,
        keysUnavailable: isKeyFetchFailure(error),
      });
    }

    const tid = payload.tid;
    if (typeof tid !== "string" || tid === "") {
      throw new IdTokenError("the `tid` claim is missing");
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
    if (issuedAt > options.now() / 1000 + clockSkewSeconds) {
      throw new IdTokenError("`iat` is in the future");
    }
    if (payload.nonce !== expectedNonce) {
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
