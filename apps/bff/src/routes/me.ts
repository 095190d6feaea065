// GET /api/me: the user's Graph profile, called server-side with the session's delegated
// access token, renewed silently when it has expired.
import {
  ApiErrorSchema,
  apiErrorCodes,
  type Profile,
  ProfileSchema,
  paths,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { BffContext, RouteOptions } from "../context.ts";
import { BffError, notAuthenticated, sessionExpired } from "../errors.ts";
import { fetchProfile, GraphUnauthorizedError } from "../graph-client.ts";
import { safeReturnTo } from "../return-to.ts";
import { clearIdentity, type Identity, readIdentity, touchIdentity } from "../session/identity.ts";
import type { TokenSet } from "../session/token-store.ts";
import { RenewalRefusedError } from "../token-renewal.ts";

/** Renew this long before the access token expires, so it does not expire in flight. */
export const renewalMarginMs = 60_000;

export const meRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const { config } = context;

  app.get(
    paths.me,
    { schema: { response: { 200: ProfileSchema, "4xx": ApiErrorSchema, "5xx": ApiErrorSchema } } },
    async (request, reply): Promise<Profile> => {
      const now = context.now();
      const identity = await readIdentity(request, config, now, context.revocations);
      if (!identity) {
        context.tokens.clear(request, reply);
        throw notAuthenticated();
      }
      let tokens = context.tokens.read(request, reply, identity.sid, now);
      if (!tokens) {
        // An identity without its own tokens (deleted, tampered, or swapped in): signed out.
        endSession(context, request, reply);
        throw notAuthenticated();
      }
      touchIdentity(request, config, identity, now);

      if (!tokens.accessToken || tokens.accessTokenExpiresAt - renewalMarginMs <= now) {
        tokens = await renewOrEnd(context, request, reply, identity, tokens, undefined);
      }

      const callGraph = (accessToken: string) =>
        fetchProfile(config.graphBaseUrl, accessToken, config.graphTimeoutMs, context.metrics);

      try {
        return await callGraph(tokens.accessToken!);
      } catch (error) {
        if (!(error instanceof GraphUnauthorizedError)) throw error;
        // Graph refused a token we believed valid (revoked, or a CAE claims challenge):
        // renew once, with the challenge's claims if any, and try again.
        request.log.info(
          { claimsChallenge: error.claims !== undefined },
          "Graph answered 401; renewing",
        );
        tokens = await renewOrEnd(context, request, reply, identity, tokens, error.claims);
      }

      try {
        return await callGraph(tokens.accessToken!);
      } catch (error) {
        if (!(error instanceof GraphUnauthorizedError)) throw error;
        if (error.claims) throw claimsChallenge(request, config, tokens.scopes, error.claims);
        throw new BffError(
          apiErrorCodes.graphError,
          502,
          "Microsoft Graph rejected a freshly renewed access token.",
          { cause: error },
        );
      }
    },
  );
};

/**
 * Renews the tokens and stores them; when the identity provider refuses, ends the session
 * (401 `session_expired`), or for a claims challenge asks for an interactive sign-in
 * (401 `claims_challenge`, session kept).
 */
async function renewOrEnd(
  context: BffContext,
  request: FastifyRequest,
  reply: FastifyReply,
  identity: Identity,
  tokens: TokenSet,
  claims: string | undefined,
): Promise<TokenSet & { accessToken: string }> {
  const now = context.now();
  let renewed: TokenSet;
  try {
    renewed = await context.renew(
      { config: context.config, metadata: context.idp.get(), log: request.log },
      tokens,
      { claims, now },
    );
  } catch (error) {
    if (!(error instanceof RenewalRefusedError)) throw error;
    if (error.consentRequired) throw consentRequired(request, context.config, tokens.scopes);
    if (claims)
      throw claimsChallenge(request, context.config, tokens.scopes, error.claims ?? claims);
    request.log.info({ sid: identity.sid }, "session could not be renewed; ended");
    endSession(context, request, reply);
    throw sessionExpired(error);
  }
  context.tokens.write(reply, renewed, identity.absoluteExpiresAt, now);
  return renewed as TokenSet & { accessToken: string };
}

function endSession(context: BffContext, request: FastifyRequest, reply: FastifyReply): void {
  clearIdentity(request);
  context.tokens.clear(request, reply);
}

/** 401 with a sign-in URL that carries the claims; the session is kept. */
function claimsChallenge(
  request: FastifyRequest,
  config: Config,
  scopes: string[],
  claims: string,
): BffError {
  return new BffError(
    apiErrorCodes.claimsChallenge,
    401,
    "Conditional Access requires you to sign in again to continue.",
    {
      loginUrl: loginUrl(request, config, {
        ...extraScopesParam(config, scopes),
        claims: Buffer.from(claims, "utf8").toString("base64url"),
      }),
    },
  );
}

/**
 * 401 with a sign-in URL that asks again for the session's scopes (Entra then shows its
 * consent prompt); the session is kept.
 */
function consentRequired(request: FastifyRequest, config: Config, scopes: string[]): BffError {
  return new BffError(
    apiErrorCodes.consentRequired,
    401,
    "This app needs your consent to a permission before it can continue.",
    { loginUrl: loginUrl(request, config, extraScopesParam(config, scopes)) },
  );
}

/** The sign-in again keeps what incremental consent added to the session. */
function extraScopesParam(config: Config, scopes: string[]): { scopes?: string } {
  const extra = scopes.filter((scope) => config.incrementalScopes.includes(scope));
  return extra.length > 0 ? { scopes: extra.join(" ") } : {};
}

/**
 * `/auth/login` returning to the page the request came from when the browser said so
 * (the SPA, served with `no-referrer`, replaces `returnTo` with its own location).
 */
function loginUrl(request: FastifyRequest, config: Config, params: Record<string, string>): string {
  const referer = request.headers.referer;
  let returnTo = "/";
  if (referer?.startsWith(`${config.publicOrigin}/`)) {
    returnTo = safeReturnTo(referer.slice(config.publicOrigin.length), config.publicOrigin);
  }
  return `${paths.login}?${new URLSearchParams({ returnTo, ...params })}`;
}
