// POST /auth/logout: ends the session here, then at Entra (end-session endpoint).
import { LogoutResponseSchema, paths } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteOptions } from "../context.ts";
import { refuseCrossSite, requireCsrfHeader } from "../plugins/anti-forgery.ts";
import { clearIdentity, readUnexpiredIdentity } from "../session/identity.ts";
import { logId } from "../session/log-id.ts";
import { recordSessionEnded } from "../session/session-records.ts";

export const logoutRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const { config, idp } = context;

  app.post(
    paths.logout,
    {
      onRequest: [requireCsrfHeader, refuseCrossSite(config.publicOrigin)],
      schema: { response: { 200: LogoutResponseSchema } },
    },
    async (request, reply) => {
      const now = context.now();
      const identity = readUnexpiredIdentity(request, now);
      // A copy of the cookies taken before now must not work afterwards, and the session's
      // access tokens die with it.
      if (identity) {
        await Promise.all([
          recordSessionEnded(context.revocations, request.log, identity),
          context.accessTokens.forgetSession(request.log, identity.sid),
        ]);
      }
      clearIdentity(request);
      context.tokens.clear(request, reply);
      context.transactions.clearAll(request, reply);
      if (identity) {
        request.log.info({ session: logId(identity.sid) }, "signed out");
        context.metrics.signOut("logout");
      }

      const redirectTo = endSessionUrl(
        idp.loaded ? idp.get().endSessionEndpoint : undefined,
        config.publicOrigin,
        config.clientId,
        identity?.loginHint,
      );
      // fetch() cannot hand a cross-origin 303 to the page, so the SPA asks for JSON.
      if (prefersJson(request.headers.accept)) return { redirectTo };
      return reply.redirect(redirectTo, 303);
    },
  );
};

/**
 * Entra's end-session URL. Without `logout_hint` Entra shows an account picker; without an
 * end-session endpoint (metadata not loaded) the user at least lands signed out on the SPA.
 */
export function endSessionUrl(
  endpoint: string | undefined,
  publicOrigin: string,
  clientId: string,
  loginHint: string | undefined,
): string {
  if (!endpoint) return `${publicOrigin}/`;
  const url = new URL(endpoint);
  url.searchParams.set("post_logout_redirect_uri", `${publicOrigin}/`);
  url.searchParams.set("client_id", clientId);
  if (loginHint) url.searchParams.set("logout_hint", loginHint);
  return url.href;
}

function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(",")[0]?.split(";")[0]?.trim().toLowerCase();
  return first === "application/json";
}
