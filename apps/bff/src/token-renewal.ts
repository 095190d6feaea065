// Silent renewal of a session's access token with its refresh token.
import type { AuthenticationResult } from "@azure/msal-node";
import { apiErrorCodes } from "@entra-bff/contract";
import type { FastifyBaseLogger } from "fastify";
import { toCallerClock } from "./authorization.ts";
import type { Config } from "./config.ts";
import {
  cachedRefreshToken,
  classifyIdpError,
  createEntraClient,
  type IdpFailure,
} from "./entra-client.ts";
import { BffError } from "./errors.ts";
import type { IdpMetadata } from "./idp-metadata.ts";
import type { Metrics } from "./metrics.ts";
import type { TokenSet } from "./session/token-store.ts";

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

export interface RenewalContext {
  config: Config;
  metadata: IdpMetadata;
  log: FastifyBaseLogger;
}

export type RenewTokens = (
  context: RenewalContext,
  tokens: TokenSet,
  options: { claims?: string | undefined; now: number },
) => Promise<TokenSet>;

/**
 * Returns a renewer that redeems the refresh token on a fresh MSAL client (its own empty
 * cache: nothing shared between users). Concurrent renewals of the same session and
 * refresh token in this process share one request.
 * Throws `RenewalRefusedError` when the user must sign in again, or a `BffError`
 * (`idp_timeout` 504, `idp_unavailable` 503, `idp_error` 502) on an outage.
 */
export function createRenewer(metrics?: Pick<Metrics, "tokenRenewal">): RenewTokens {
  const inFlight = new Map<string, Promise<TokenSet>>();
  return (context, tokens, options) => {
    const key = `${tokens.sid}\n${tokens.refreshToken}\n${options.claims ?? ""}`;
    let pending = inFlight.get(key);
    if (!pending) {
      // Counted once per request to the identity provider, not per waiting caller.
      pending = renew(context, tokens, options)
        .then(
          (renewed) => {
            metrics?.tokenRenewal("success");
            return renewed;
          },
          (error: unknown) => {
            metrics?.tokenRenewal("failure");
            throw error;
          },
        )
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
}

async function renew(
  context: RenewalContext,
  tokens: TokenSet,
  options: { claims?: string | undefined; now: number },
): Promise<TokenSet> {
  const client = createEntraClient(context.config, context.metadata, context.log);
  let result: AuthenticationResult | null;
  try {
    result = await client.acquireTokenByRefreshToken({
      refreshToken: tokens.refreshToken,
      scopes: tokens.scopes,
      // Cache the answer even though this client has no account: that is where the
      // rotated refresh token is.
      forceCache: true,
      ...(options.claims ? { claims: options.claims } : {}),
    });
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
  context.log.info({ sid: tokens.sid }, "access token renewed");
  return {
    sid: tokens.sid,
    // Entra rotates refresh tokens; keep the old one only if no new one came back.
    refreshToken: cachedRefreshToken(client) ?? tokens.refreshToken,
    accessToken: result.accessToken,
    accessTokenExpiresAt: toCallerClock(result.expiresOn, options.now),
    scopes: tokens.scopes,
  };
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
        {
          cause: error,
        },
      );
    case "unavailable":
      return new BffError(
        apiErrorCodes.idpUnavailable,
        503,
        "The identity provider is temporarily unavailable; the session could not be renewed.",
        {
          cause: error,
          retryAfter: "5",
        },
      );
    default:
      return new BffError(
        apiErrorCodes.idpError,
        502,
        "The identity provider answered the renewal with an error.",
        {
          cause: error,
        },
      );
  }
}
