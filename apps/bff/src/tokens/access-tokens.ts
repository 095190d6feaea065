// The one path by which any API call gets its access token: the server-side cache, else a
// renewal with the session's refresh token — shared by concurrent requests of the session
// for the resource, in this process and (through Redis) on every instance — whose answer
// must name the session's own user. /api/me and every declared API go through here.
import { setTimeout as sleep } from "node:timers/promises";
import { apiErrorCodes } from "@entra-bff/contract";
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import { BffError, sessionExpired } from "../errors.ts";
import type { IdTokenValidator } from "../id-token.ts";
import type { IdpMetadata, IdpMetadataSource } from "../idp-metadata.ts";
import type { Metrics } from "../metrics.ts";
import type { CookieCodec } from "../session/cookie-codec.ts";
import { DecryptedCache } from "../session/decrypted-cache.ts";
import { clearIdentity, type Identity } from "../session/identity.ts";
import { logId } from "../session/log-id.ts";
import type { RevocationStore } from "../session/revocation.ts";
import { recordSessionEnded } from "../session/session-records.ts";
import type { TokenSet, TokenStore } from "../session/token-store.ts";
import { claimsChallenge, consentRequired } from "../sign-in-again.ts";
import { IdentityMismatchError, RenewalRefusedError, renewAccessToken } from "../token-renewal.ts";
import type { AccessTokenCache } from "./access-token-cache.ts";

/** Renew this long before the access token expires, so it does not expire in flight. */
export const renewalMarginMs = 60_000;
/** How long other instances remember a failed renewal, so their waiters fail with it. */
const failureMemoryMs = 5_000;
/** How often a waiter asks whether another instance's renewal has finished. */
const pollIntervalMs = 25;
/** Sealed access tokens remembered decrypted (each ~2 KB of token plus its sealed form). */
const maxDecryptedTokens = 2_000;

/** What a token is for: the cache key (`me`, or a declared API's name) and its scopes. */
export interface TokenResource {
  id: string;
  scopes: string[];
}

/** A signed-in request's session: who, and the refresh token cookie bound to it. */
export interface SignedInSession {
  identity: Identity;
  tokens: TokenSet;
}

export interface AccessTokenRequest {
  /** The token the API just refused (401): use the cache only if it holds a newer one. */
  rejected?: string | undefined;
  /** A Conditional Access claims challenge (decoded JSON) to satisfy. */
  claims?: string | undefined;
}

export interface AccessTokens {
  /**
   * A valid access token for `resource`. Renews silently when needed; when that is refused,
   * throws the 401 the SPA acts on (`consent_required` or `claims_challenge` with a
   * `loginUrl`, session kept; `session_expired`, session ended) or an outage's 5xx.
   */
  get(
    request: FastifyRequest,
    reply: FastifyReply,
    session: SignedInSession,
    resource: TokenResource,
    options?: AccessTokenRequest,
  ): Promise<string>;
  /** Caches a token obtained at sign-in. */
  store(
    log: FastifyBaseLogger,
    session: { sid: string; absoluteExpiresAt: number; idpSid?: string | undefined },
    resource: string,
    token: { accessToken: string; expiresAt: number },
  ): Promise<void>;
  /** Forgets the session's tokens (logout); failure is logged, not thrown. */
  forgetSession(log: FastifyBaseLogger, sid: string): Promise<void>;
  /** Forgets the tokens of every session Entra session `idpSid` started (front-channel logout). */
  forgetIdpSession(log: FastifyBaseLogger, idpSid: string): Promise<void>;
}

export interface AccessTokensDependencies {
  config: Config;
  now: () => number;
  idp: IdpMetadataSource;
  idTokenValidator: (metadata: IdpMetadata) => IdTokenValidator;
  cache: AccessTokenCache;
  codec: CookieCodec;
  refreshCookies: TokenStore;
  revocations: RevocationStore;
  metrics: Pick<Metrics, "tokenRenewal">;
}

interface Renewed {
  accessToken: string;
  /** Set only where this instance redeemed the refresh token (Entra rotates it). */
  refreshToken?: string | undefined;
}

interface SealedToken {
  v: 1;
  typ: "at";
  sid: string;
  res: string;
  at: string;
  exp: number;
}

/** A failed renewal as other instances' waiters learn it. */
type RecordedFailure =
  | { kind: "refused"; consentRequired: boolean; claims?: string | undefined }
  | { kind: "mismatch" }
  | { kind: "outage"; code: string; status: number; message: string; retryAfter?: string };

export function createAccessTokens(deps: AccessTokensDependencies): AccessTokens {
  const { config, cache, codec } = deps;
  const inFlight = new Map<string, Promise<Renewed>>();
  const decrypted = new DecryptedCache<SealedToken>(maxDecryptedTokens);

  const seal = (sid: string, resource: string, token: string, expiresAt: number) =>
    codec.seal({ v: 1, typ: "at", sid, res: resource, at: token, exp: expiresAt });

  /** The sealed value's token if it is this session's, for this resource, and not expiring. */
  const open = (
    log: FastifyBaseLogger,
    sealed: string | undefined,
    sid: string,
    resource: string,
  ): string | undefined => {
    if (sealed === undefined) return undefined;
    let token = decrypted.get(sealed);
    if (!token) {
      token = codec.open(sealed, log, isSealedToken)?.payload;
      if (token) decrypted.set(sealed, token);
    }
    // Bound to the key it was stored under: an entry copied to another session's key is
    // refused, as is anything Redis holds that we did not seal.
    if (!token || token.sid !== sid || token.res !== resource) return undefined;
    return token.exp - renewalMarginMs > deps.now() ? token.at : undefined;
  };

  const cached = async (log: FastifyBaseLogger, sid: string, resource: string) =>
    open(log, await cache.get(sid, resource), sid, resource);

  async function renewHere(
    log: FastifyBaseLogger,
    session: SignedInSession,
    resource: TokenResource,
    options: AccessTokenRequest,
  ): Promise<Renewed> {
    const { identity, tokens } = session;
    // Another instance may have finished between our cache miss and taking the lock.
    if (!options.claims) {
      const fresh = await cached(log, identity.sid, resource.id);
      if (fresh !== undefined && fresh !== options.rejected) return { accessToken: fresh };
    }
    // B2C: only the user flow that issued the refresh token redeems it. One no longer
    // configured falls back to sign-up/sign-in, which refuses it: the session then ends.
    const policy = identity.policy && deps.idp.has(identity.policy) ? identity.policy : undefined;
    const metadata = deps.idp.get(policy);
    let renewed: Awaited<ReturnType<typeof renewAccessToken>>;
    try {
      renewed = await renewAccessToken(
        { config, metadata, log, validateIdToken: deps.idTokenValidator(metadata) },
        {
          refreshToken: tokens.refreshToken,
          scopes: resource.scopes,
          claims: options.claims,
          subject: {
            tenantId: identity.user.tenantId,
            oid: identity.user.oid,
            sub: identity.sub,
          },
          now: deps.now(),
        },
      );
    } catch (error) {
      deps.metrics.tokenRenewal("failure");
      throw error;
    }
    deps.metrics.tokenRenewal("success");
    log.info({ session: logId(identity.sid), resource: resource.id }, "access token renewed");
    const expiresAt = Math.min(renewed.expiresAt, identity.absoluteExpiresAt);
    try {
      await cache.set(
        identity.sid,
        resource.id,
        seal(identity.sid, resource.id, renewed.accessToken, expiresAt),
        expiresAt,
        deps.now(),
      );
    } catch (error) {
      // The token still serves this request; the next one renews again.
      log.warn({ err: error }, "access token renewed but not cached: the session store failed");
    }
    return { accessToken: renewed.accessToken, refreshToken: renewed.refreshToken };
  }

  /** Renews here, or waits for the instance that holds the renewal lock. */
  async function renewShared(
    log: FastifyBaseLogger,
    session: SignedInSession,
    resource: TokenResource,
    options: AccessTokenRequest,
  ): Promise<Renewed> {
    const { sid } = session.identity;
    // Real time, not the app's clock: this bounds how long a request waits.
    const deadline = performance.now() + config.idpTimeoutMs + 2_000;
    while (performance.now() < deadline) {
      const lock = await cache.lock(sid, resource.id, config.idpTimeoutMs + 5_000);
      if (lock) {
        try {
          return await renewHere(log, session, resource, options);
        } catch (error) {
          await cache
            .recordFailure(sid, resource.id, JSON.stringify(recordFailure(error)), failureMemoryMs)
            .catch(() => {});
          throw error;
        } finally {
          await lock.unlock();
        }
      }
      // Another instance is renewing: its token, or its failure, is ours too.
      while (performance.now() < deadline) {
        await sleep(pollIntervalMs);
        const progress = await cache.peek(sid, resource.id);
        const token = open(log, progress.sealed, sid, resource.id);
        if (token !== undefined && token !== options.rejected) return { accessToken: token };
        if (progress.failure !== undefined) throw reviveFailure(progress.failure);
        // Released without a token (that instance stopped): try to take the lock ourselves.
        if (!progress.locked) break;
      }
    }
    throw new BffError(
      apiErrorCodes.idpUnavailable,
      503,
      "Renewing the session's access token took too long; try again shortly.",
      { retryAfter: "5" },
    );
  }

  /** What the client is told when renewal did not give a token; ends the session if it must. */
  async function failure(
    request: FastifyRequest,
    reply: FastifyReply,
    session: SignedInSession,
    resource: TokenResource,
    error: unknown,
    claims: string | undefined,
  ): Promise<unknown> {
    const { identity, tokens } = session;
    if (error instanceof RenewalRefusedError) {
      if (error.consentRequired) {
        return consentRequired(request, config, [...tokens.scopes, ...resource.scopes]);
      }
      // Signing in again satisfies a claims challenge only when one was being answered; a
      // plain refusal with claims (e.g. MFA now required) ends the session like any other.
      if (claims) return claimsChallenge(request, config, tokens.scopes, error.claims ?? claims);
      request.log.info({ session: logId(identity.sid) }, "session could not be renewed; ended");
      clearIdentity(request);
      deps.refreshCookies.clear(request, reply);
      return sessionExpired(error);
    }
    if (error instanceof IdentityMismatchError) {
      // A security event: the identity provider (or someone in its place) answered for a
      // different user. Nothing of the answer was stored; the session ends for good.
      request.log.warn(
        { event: "security", session: logId(identity.sid), reason: error.message },
        "token renewal answered for another user; session ended",
      );
      clearIdentity(request);
      deps.refreshCookies.clear(request, reply);
      await Promise.all([
        recordSessionEnded(deps.revocations, request.log, identity),
        accessTokens.forgetSession(request.log, identity.sid),
      ]);
      return sessionExpired(error);
    }
    return error;
  }

  const accessTokens: AccessTokens = {
    async get(request, reply, session, resource, options = {}) {
      const { identity, tokens } = session;
      if (!options.claims) {
        const fresh = await cached(request.log, identity.sid, resource.id);
        if (fresh !== undefined && fresh !== options.rejected) return fresh;
      }
      const key = `${identity.sid}\n${resource.id}\n${options.claims ?? ""}`;
      let flight = inFlight.get(key);
      if (!flight) {
        flight = renewShared(request.log, session, resource, options).finally(() =>
          inFlight.delete(key),
        );
        inFlight.set(key, flight);
      }
      let renewed: Renewed;
      try {
        renewed = await flight;
      } catch (error) {
        throw await failure(request, reply, session, resource, error, options.claims);
      }
      // Every response of this process that waited for the renewal carries the rotated
      // refresh token, so whichever the browser keeps last is current.
      if (renewed.refreshToken && renewed.refreshToken !== tokens.refreshToken) {
        deps.refreshCookies.write(
          reply,
          { ...tokens, refreshToken: renewed.refreshToken },
          identity.absoluteExpiresAt,
          deps.now(),
        );
      }
      return renewed.accessToken;
    },

    async store(log, session, resource, token) {
      const expiresAt = Math.min(token.expiresAt, session.absoluteExpiresAt);
      try {
        await cache.set(
          session.sid,
          resource,
          seal(session.sid, resource, token.accessToken, expiresAt),
          expiresAt,
          deps.now(),
        );
        if (session.idpSid) {
          await cache.linkIdpSession(
            session.idpSid,
            session.sid,
            session.absoluteExpiresAt,
            deps.now(),
          );
        }
      } catch (error) {
        log.warn({ err: error }, "access token not cached: the session store failed");
      }
    },

    async forgetSession(log, sid) {
      await cache.deleteSession(sid).catch((error: unknown) => {
        log.error(
          { err: error, session: logId(sid) },
          "session ended, but its cached access tokens could not be deleted; they expire with the tokens",
        );
      });
    },

    async forgetIdpSession(log, idpSid) {
      await cache.deleteIdpSession(idpSid).catch((error: unknown) => {
        log.error(
          { err: error, idpSession: logId(idpSid) },
          "signed out at Entra, but the sessions' cached access tokens could not be deleted; they expire with the tokens",
        );
      });
    },
  };
  return accessTokens;
}

function recordFailure(error: unknown): RecordedFailure {
  if (error instanceof RenewalRefusedError) {
    return { kind: "refused", consentRequired: error.consentRequired, claims: error.claims };
  }
  if (error instanceof IdentityMismatchError) return { kind: "mismatch" };
  if (error instanceof BffError) {
    return {
      kind: "outage",
      code: error.code,
      status: error.statusCode,
      message: error.message,
      ...(error.retryAfter ? { retryAfter: error.retryAfter } : {}),
    };
  }
  return {
    kind: "outage",
    code: apiErrorCodes.idpError,
    status: 502,
    message: "The identity provider answered the renewal with an error.",
  };
}

function reviveFailure(text: string): Error {
  let recorded: RecordedFailure;
  try {
    recorded = JSON.parse(text) as RecordedFailure;
  } catch {
    recorded = { kind: "outage", code: apiErrorCodes.idpError, status: 502, message: "" };
  }
  switch (recorded.kind) {
    case "refused":
      return new RenewalRefusedError(
        recorded.consentRequired
          ? { kind: "consent_required" }
          : recorded.claims
            ? { kind: "interaction_required", claims: recorded.claims }
            : { kind: "rejected" },
        undefined,
      );
    case "mismatch":
      return new IdentityMismatchError("reported by another instance");
    default:
      return new BffError(
        recorded.code as typeof apiErrorCodes.idpError,
        recorded.status,
        recorded.message || "The identity provider answered the renewal with an error.",
        recorded.retryAfter ? { retryAfter: recorded.retryAfter } : undefined,
      );
  }
}

function isSealedToken(data: unknown): data is SealedToken {
  if (typeof data !== "object" || data === null) return false;
  const v = data as Partial<SealedToken>;
  return (
    v.v === 1 &&
    v.typ === "at" &&
    typeof v.sid === "string" &&
    typeof v.res === "string" &&
    typeof v.at === "string" &&
    typeof v.exp === "number"
  );
}
