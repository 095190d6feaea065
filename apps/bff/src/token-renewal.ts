// Redeems the session's refresh token for one resource's access token, and checks that the
// answer is about the same person as the session. The only place a refresh token is used.
import type { AuthenticationResult } from "@azure/msal-node";
import { apiErrorCodes } from "@entra-bff/contract";
import type { FastifyBaseLogger } from "fastify";
import { toCallerClock } from "./authorization.ts";
import type { Config } from "./config.ts";
import {
  cachedRefreshToken,
  classifyIdpError,
  type IdpFailure,
  withEntraClient,
} from "./entra-client.ts";
import { BffError } from "./errors.ts";
import { type IdTokenClaims, IdTokenError, type IdTokenValidator } from "./id-token.ts";
import type { IdpMetadata } from "./idp-metadata.ts";

/**
 * The refresh token was refused: the user has to sign in again (with `claims`, if any), or
 * has to consent to a scope first (`consentRequired`).
 */
export class RenewalRefusedError extends Error {
  readonly claims: string | undefined;
  readonly consentRequired: boolean;
  constructor(failure: IdpFailure, cause: unknown) {
    super("the identity provider refused to renew the session", { cause });
    this.name = "RenewalRefusedError";
    this.claims = failure.kind === "interaction_required" ? failure.claims : undefined;
    this.consentRequired = failure.kind === "consent_required";
  }
}

/**
 * The token response is about someone else than the session (another `oid`, `sub`, tenant
 * or issuer), or its ID token does not validate. Nothing from it may be used: the session
 * ends. Real Entra never does this; a BFF must still never let one session become two people.
 */
export class IdentityMismatchError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the renewed tokens do not belong to the session's user: ${reason}`, options);
    this.name = "IdentityMismatchError";
  }
}

/** Who the session is: the claims a renewal's ID token must repeat. */
export interface SessionSubject {
  tenantId: string;
  oid: string;
  /** Absent only in sessions created before `sub` was recorded. */
  sub: string | undefined;
}

export interface RenewalContext {
  config: Config;
  metadata: IdpMetadata;
  log: FastifyBaseLogger;
  validateIdToken: IdTokenValidator;
}

export interface RenewalRequest {
  refreshToken: string;
  /** One resource's scopes (MSAL adds `openid profile offline_access`). */
  scopes: string[];
  claims?: string | undefined;
  subject: SessionSubject;
  now: number;
}

export interface RenewedTokens {
  accessToken: string;
  /** Epoch milliseconds on the caller's clock. */
  expiresAt: number;
  /** Entra rotates refresh tokens; the new one (the old one stays valid at Entra). */
  refreshToken: string | undefined;
}

/**
 * Redeems the refresh token on a fresh MSAL client (its own empty cache: nothing shared
 * between users) and validates the answer's identity. Throws `RenewalRefusedError` when the
 * user must sign in again or consent, `IdentityMismatchError` when the answer names another
 * user, or a `BffError` (`idp_timeout` 504, `idp_unavailable` 503, `idp_error` 502) on an
 * outage. Does not retry and does not share concurrent calls (access-tokens.ts does).
 */
export async function renewAccessToken(
  context: RenewalContext,
  request: RenewalRequest,
): Promise<RenewedTokens> {
  let result: AuthenticationResult | null;
  let refreshToken: string | undefined;
  try {
    ({ result, refreshToken } = await withEntraClient(
      context.config,
      context.metadata,
      context.log,
      async (client) => {
        const answer = await client.acquireTokenByRefreshToken({
          refreshToken: request.refreshToken,
          scopes: request.scopes,
          // Cache the answer even though this client has no account: that is where the
          // rotated refresh token is.
          forceCache: true,
          ...(request.claims ? { claims: request.claims } : {}),
        });
        return { result: answer, refreshToken: cachedRefreshToken(client) };
      },
    ));
  } catch (error) {
    throw renewalError(error);
  }
  if (!result?.accessToken) {
    throw new BffError(
      apiErrorCodes.idpError,
      502,
      "The identity provider's token response has no access token.",
    );
  }
  await checkSameSubject(context, result, request.subject);
  return {
    accessToken: result.accessToken,
    expiresAt: toCallerClock(result.expiresOn, request.now),
    refreshToken,
  };
}

/**
 * OIDC Core 12.2: a refreshed ID token must name the same `iss` and `sub` (and, at Entra,
 * `tid` and `oid`); `client_info` (MSAL's account id `uid.utid`) likewise. Validated like the
 * sign-in's, without a nonce (for B2C: its user flow in `tfp`, its tenant from the issuer, its
 * object id from `oid` or `sub`, and `uid` = `<oid>-<policy>`). Missing ID token: Entra and
 * B2C always send one for `openid`, so its absence is not trusted either.
 */
async function checkSameSubject(
  context: RenewalContext,
  result: AuthenticationResult,
  subject: SessionSubject,
): Promise<void> {
  if (!result.idToken) throw new IdentityMismatchError("the token response has no ID token");
  let claims: IdTokenClaims;
  try {
    claims = await context.validateIdToken(result.idToken, undefined);
  } catch (error) {
    if (error instanceof IdTokenError && error.keysUnavailable) {
      throw new BffError(
        apiErrorCodes.idpUnavailable,
        503,
        "The identity provider's signing keys could not be fetched to check the renewed tokens.",
        { cause: error, retryAfter: "5" },
      );
    }
    throw new IdentityMismatchError(`the ID token is not valid (${(error as Error).message})`, {
      cause: error,
    });
  }
  const differences: string[] = [];
  if (claims.tid !== subject.tenantId) differences.push("tid");
  if (claims.oid !== subject.oid) differences.push("oid");
  if (subject.sub !== undefined && claims.sub !== subject.sub) differences.push("sub");
  // MSAL's account id, `uid.utid` of client_info. B2C's uid names the user flow too
  // (`<oid>-<policy>`, the policy in lower case): the flow that issued this refresh token.
  const accountId = result.account?.homeAccountId;
  const { policy } = context.metadata;
  const expectedAccount =
    context.metadata.tenantKind === "b2c" && policy
      ? `${subject.oid}-${policy}.${subject.tenantId}`.toLowerCase()
      : `${subject.oid}.${subject.tenantId}`;
  const comparedAccount =
    context.metadata.tenantKind === "b2c" ? accountId?.toLowerCase() : accountId;
  if (accountId !== undefined && comparedAccount !== expectedAccount) {
    differences.push("client_info");
  }
  if (differences.length > 0) {
    throw new IdentityMismatchError(`${differences.join(", ")} differ from the session's`);
  }
}

function renewalError(error: unknown): Error {
  const failure = classifyIdpError(error);
  switch (failure.kind) {
    case "interaction_required":
    case "consent_required":
    case "rejected":
      return new RenewalRefusedError(failure, error);
    case "timeout":
      return new BffError(
        apiErrorCodes.idpTimeout,
        504,
        "The identity provider did not answer in time while renewing the session.",
        { cause: error },
      );
    case "unavailable":
      return new BffError(
        apiErrorCodes.idpUnavailable,
        503,
        "The identity provider is temporarily unavailable; the session could not be renewed.",
        { cause: error, retryAfter: "5" },
      );
    default:
      return new BffError(
        apiErrorCodes.idpError,
        502,
        "The identity provider answered the renewal with an error.",
        { cause: error },
      );
  }
}
