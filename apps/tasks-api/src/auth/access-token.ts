// Access token validation for this resource (RFC 9068-style checks on an Entra v2.0 token).
// The token is the only thing that says who is calling: every check here stands between a
// forged or misdirected token and another user's tasks.
import { errors, type JWTPayload, jwtVerify } from "jose";
import type { Authority } from "./authority.ts";

/**
 * Clock skew accepted on `exp` and `nbf`. Small: a stolen token should not outlive its
 * lifetime by much; servers syncing with NTP are seconds apart, not minutes.
 */
export const clockSkewSeconds = 60;

/** Longest token accepted; Entra's are 1.5–3 KB, and jose would otherwise parse anything. */
const maxTokenLength = 12_000;
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Who is calling, from a validated token. Tasks are keyed by `tenantId` + `oid`, never by name. */
export interface Caller {
  /** `tid`, lowercase. */
  tenantId: string;
  /** `oid`, lowercase: the user's object id in that tenant. */
  oid: string;
  /** `scp`, split. */
  scopes: string[];
  /** `roles`: the user's app roles of this API's registration. */
  roles: string[];
  /** `azp`: the client app that requested the token (the BFF). */
  clientId: string | undefined;
}

export class AccessTokenError extends Error {
  /** The keys could not be fetched: an outage, not a bad token. */
  readonly keysUnavailable: boolean;
  constructor(message: string, options?: { cause?: unknown; keysUnavailable?: boolean }) {
    super(message, options);
    this.name = "AccessTokenError";
    this.keysUnavailable = options?.keysUnavailable ?? false;
  }
}

export interface AccessTokenValidatorOptions {
  /** The API's Application (client) ID, lowercase: what v2.0 tokens carry as `aud`. */
  clientId: string;
  /** `api://…`: accepted as `aud` as well (what v1.0-style clients ask for). */
  appIdUri: string;
  /** With an issuer template (`{tenantid}`): the tenants whose tokens are accepted. */
  allowedTenants: readonly string[];
  now: () => number;
}

export type AccessTokenValidator = (authority: Authority, token: string) => Promise<Caller>;

/**
 * Verifies the signature (RS256 only) with the authority's published keys, `exp`/`nbf`, then
 * that it is a v2.0 token of the right tenant and issuer (and signing key issuer), for this
 * API's audience, naming a user. Throws `AccessTokenError` naming the first failed check.
 * Does not check scopes or roles: the caller decides what the request needs.
 */
export function createAccessTokenValidator(
  options: AccessTokenValidatorOptions,
): AccessTokenValidator {
  const audiences = new Set([options.clientId, options.appIdUri]);
  const allowed = new Set(options.allowedTenants);

  return async (authority, token) => {
    if (token.length > maxTokenLength || !compactJws.test(token)) {
      throw new AccessTokenError("the token is not a signed JWT (compact JWS)");
    }
    let payload: JWTPayload;
    let kid: string | undefined;
    try {
      const verified = await jwtVerify(token, authority.keys.resolve, {
        algorithms: ["RS256"],
        clockTolerance: clockSkewSeconds,
        currentDate: new Date(options.now()),
        requiredClaims: ["iss", "aud", "exp", "nbf", "tid", "oid"],
      });
      payload = verified.payload;
      kid = verified.protectedHeader.kid;
    } catch (error) {
      throw new AccessTokenError(describeJoseError(error), {
        cause: error,
        keysUnavailable: isKeyFetchFailure(error),
      });
    }

    if (payload.ver !== "2.0") {
      // Entra issues v1.0 tokens to an API unless its manifest asks for v2.0
      // (`requestedAccessTokenVersion: 2`); a Graph token is v1.0 too.
      throw new AccessTokenError(
        `\`ver\` is ${JSON.stringify(payload.ver ?? null)}: only v2.0 access tokens are accepted (set requestedAccessTokenVersion to 2 in the API registration's manifest)`,
      );
    }
    const tid = typeof payload.tid === "string" ? payload.tid.toLowerCase() : "";
    if (!guid.test(tid)) throw new AccessTokenError("`tid` is not a tenant id");

    const templated = authority.issuer.includes("{tenantid}");
    if (templated && !allowed.has(tid)) {
      throw new AccessTokenError(`tenant ${tid} is not allowed (ALLOWED_TENANTS)`);
    }
    // Multi-tenant authorities publish the issuer as a template: substitute this token's
    // tenant, so each tenant can only issue tokens under its own issuer.
    const expectedIssuer = authority.issuer.replace("{tenantid}", tid);
    if (payload.iss !== expectedIssuer) {
      throw new AccessTokenError(
        `\`iss\` is "${String(payload.iss).slice(0, 200)}", expected "${expectedIssuer}"`,
      );
    }
    if (!templated && tid !== issuerTenant(authority.issuer)) {
      throw new AccessTokenError(`\`tid\` ${tid} is not the authority's tenant`);
    }
    // Entra's keys may be scoped to an issuer; a key of one tenant must not vouch for another.
    const keyIssuer = kid === undefined ? undefined : authority.keys.issuerOf(kid);
    if (keyIssuer !== undefined && keyIssuer.replace("{tenantid}", tid) !== expectedIssuer) {
      throw new AccessTokenError("the signing key belongs to another issuer");
    }

    // One audience, and it is this API: a token for several resources could be replayed here.
    const aud =
      Array.isArray(payload.aud) && payload.aud.length === 1 ? payload.aud[0] : payload.aud;
    if (typeof aud !== "string" || !(audiences.has(aud) || audiences.has(aud.toLowerCase()))) {
      throw new AccessTokenError(
        `\`aud\` is ${JSON.stringify(payload.aud).slice(0, 200)}, expected this API (${options.clientId} or ${options.appIdUri})`,
      );
    }

    const oid = typeof payload.oid === "string" ? payload.oid.toLowerCase() : "";
    if (!guid.test(oid)) throw new AccessTokenError("`oid` is not an object id");

    return {
      tenantId: tid,
      oid,
      scopes: typeof payload.scp === "string" ? payload.scp.split(" ").filter(Boolean) : [],
      roles: Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is string => typeof r === "string").slice(0, 100)
        : [],
      clientId: typeof payload.azp === "string" ? payload.azp : undefined,
    };
  };
}

/** "https://login.microsoftonline.com/<tid>/v2.0" → "<tid>". */
function issuerTenant(issuer: string): string | undefined {
  try {
    return new URL(issuer).pathname.split("/")[1]?.toLowerCase();
  } catch {
    return undefined;
  }
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
    if (error.claim === "nbf" && error.reason === "check_failed") {
      return "the token is not valid yet (`nbf`)";
    }
    return error.reason === "missing"
      ? `the \`${error.claim}\` claim is missing`
      : `claim \`${error.claim}\` failed validation (${error.reason})`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token is not signed with RS256";
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "no published signing key matches the token's `kid`";
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return "the token's `kid` matches several published keys";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the signature is invalid";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return "the token is malformed";
  }
  if (error instanceof errors.JWKSTimeout) return "the signing keys could not be fetched in time";
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
