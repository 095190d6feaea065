// The two halves of the authorization code flow with PKCE: the redirect to the identity
// provider, and the redemption of the code it sends back.
import { createHash, randomBytes } from "node:crypto";
import * as msal from "@azure/msal-node";
import { type SignInErrorCode, signInErrorCodes } from "@entra-bff/contract";
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "./config.ts";
import {
  cachedRefreshToken,
  classifyIdpError,
  createEntraClient,
  withEntraClient,
} from "./entra-client.ts";
import { type IdTokenClaims, IdTokenError, type IdTokenValidator } from "./id-token.ts";
import type { IdpMetadata } from "./idp-metadata.ts";
import type { SignInTransaction } from "./session/transaction.ts";
import { graphScopes } from "./tokens/resources.ts";

/** A sign-in that failed for a reason the user is shown (`?authError=<code>`). */
export class SignInError extends Error {
  readonly code: SignInErrorCode;
  constructor(code: SignInErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SignInError";
    this.code = code;
  }
}

export interface AuthorizationContext {
  config: Config;
  metadata: IdpMetadata;
  log: FastifyBaseLogger;
}

/** 256 bits from the CSPRNG; MSAL generates no state or nonce itself. */
const randomToken = () => randomBytes(32).toString("base64url");

/**
 * RFC 7636 §4.1–4.2: a verifier of 32 random octets, base64url (43 characters), and its
 * S256 challenge. Not MSAL's generator: it draws its randomness one byte per call, which made
 * it the most expensive step of a sign-in (~150 µs, measured, against ~7 µs here).
 */
function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomToken();
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/**
 * Builds the authorization URL (code flow, PKCE S256, fresh `state` and `nonce`) and the
 * transaction to keep until the callback. Makes no network request.
 */
export async function beginAuthorization(
  context: AuthorizationContext,
  request: {
    returnTo: string;
    claims?: string | undefined;
    extraScopes?: string[] | undefined;
    /** The signed-in user's `login_hint` claim, when signing in again as them. */
    loginHint?: string | undefined;
    previousSession?: SignInTransaction["previousSession"];
    /** `create`: External ID's self-service sign-up page instead of sign-in. */
    prompt?: "create" | undefined;
    /** B2C: the user flow `context.metadata` belongs to, when not sign-up/sign-in. */
    flow?: SignInTransaction["flow"];
    /** B2C profile edit: the session the answer refreshes. */
    editing?: SignInTransaction["editing"];
  },
  now: number,
): Promise<{ url: string; transaction: SignInTransaction }> {
  const { verifier, challenge } = pkcePair();
  const extraScopes = request.extraScopes?.length ? request.extraScopes : undefined;
  const transaction: SignInTransaction = {
    state: randomToken(),
    nonce: randomToken(),
    codeVerifier: verifier,
    returnTo: request.returnTo,
    ...(extraScopes ? { extraScopes } : {}),
    ...(request.previousSession ? { previousSession: request.previousSession } : {}),
    ...(request.flow ? { flow: request.flow } : {}),
    ...(request.editing ? { editing: request.editing } : {}),
    createdAt: now,
  };
  const client = createEntraClient(context.config, context.metadata, context.log);
  const url = await client.getAuthCodeUrl({
    scopes: sessionScopes(context.config, transaction),
    ...(request.loginHint ? { loginHint: request.loginHint } : {}),
    redirectUri: context.config.redirectUri,
    responseMode: msal.ResponseMode.QUERY,
    state: transaction.state,
    nonce: transaction.nonce,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    ...(request.claims ? { claims: request.claims } : {}),
    ...(request.prompt ? { prompt: request.prompt } : {}),
  });
  return { url, transaction };
}

/** SCOPES, plus what this sign-in asked for beyond them (incremental consent). */
export function sessionScopes(config: Config, transaction: SignInTransaction): string[] {
  return [...new Set([...config.scopes, ...(transaction.extraScopes ?? [])])];
}

export interface CompletedAuthorization {
  claims: IdTokenClaims;
  refreshToken: string;
  /**
   * Graph's, for /api/me. Absent for B2C, which issues its users no Graph token: a code
   * redeemed for OIDC scopes alone brings an ID token and a refresh token.
   */
  accessToken: string | undefined;
  /** Epoch milliseconds on the caller's clock. */
  accessTokenExpiresAt: number;
}

/**
 * Redeems `code` with the transaction's PKCE verifier on a client of its own, then
 * validates the ID token against the transaction's nonce. Throws `SignInError`.
 * Does not check `state`: the caller found the transaction by it.
 */
export async function completeAuthorization(
  context: AuthorizationContext & { validateIdToken: IdTokenValidator },
  transaction: SignInTransaction,
  code: string,
  now: number,
): Promise<CompletedAuthorization> {
  let result: msal.AuthenticationResult;
  let refreshToken: string | undefined;
  try {
    ({ result, refreshToken } = await withEntraClient(
      context.config,
      context.metadata,
      context.log,
      async (client) => {
        const answer = await client.acquireTokenByCode({
          code,
          codeVerifier: transaction.codeVerifier,
          redirectUri: context.config.redirectUri,
          // One resource per token request (Entra's AADSTS28000): Graph, for /api/me. The
          // authorize request asked for every scope, so consent to the others is recorded.
          scopes: graphScopes(context.config, sessionScopes(context.config, transaction)),
          // MSAL compares it too, and rejects an ID token carrying a nonce it was not given.
          nonce: transaction.nonce,
        });
        return { result: answer, refreshToken: cachedRefreshToken(client) };
      },
    ));
  } catch (error) {
    if (error instanceof msal.AuthError && error.errorCode === "nonce_mismatch") {
      throw new SignInError(
        signInErrorCodes.invalidIdToken,
        "ID token rejected: `nonce` does not match",
        {
          cause: error,
        },
      );
    }
    const failure = classifyIdpError(error);
    throw failure.kind === "timeout" || failure.kind === "unavailable"
      ? new SignInError(signInErrorCodes.idpUnavailable, "the token endpoint is unavailable", {
          cause: error,
        })
      : new SignInError(
          signInErrorCodes.codeRedemptionFailed,
          "the token endpoint rejected the code",
          {
            cause: error,
          },
        );
  }

  let claims: IdTokenClaims;
  try {
    claims = await context.validateIdToken(result.idToken, transaction.nonce);
  } catch (error) {
    if (error instanceof IdTokenError && error.keysUnavailable) {
      throw new SignInError(signInErrorCodes.idpUnavailable, "the signing keys are unavailable", {
        cause: error,
      });
    }
    throw new SignInError(
      signInErrorCodes.invalidIdToken,
      `ID token rejected: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }

  const b2c = context.metadata.tenantKind === "b2c";
  if (!refreshToken || (!result.accessToken && !b2c)) {
    throw new SignInError(
      signInErrorCodes.idpError,
      "the token response has no refresh token or access token (is `offline_access` allowed?)",
    );
  }
  return {
    claims,
    refreshToken,
    accessToken: result.accessToken || undefined,
    accessTokenExpiresAt: toCallerClock(result.expiresOn, now),
  };
}

/**
 * MSAL computes `expiresOn` from the wall clock; keep the token's lifetime but measure it
 * on the app's clock (the same in production; controllable in tests).
 */
export function toCallerClock(expiresOn: Date | null, now: number): number {
  if (!expiresOn) return now;
  return now + (expiresOn.getTime() - Date.now());
}
