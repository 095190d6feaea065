// GET /auth/session: who is signed in, from the identity cookie alone. The SPA polls it, so
// it decrypts no token cookie, calls nobody and does not extend the session.
import { paths, type SessionResponse, SessionResponseSchema } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteOptions } from "../context.ts";
import { identityExpiresAt, readIdentity } from "../session/identity.ts";

export const sessionRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    paths.session,
    { schema: { response: { 200: SessionResponseSchema } } },
    async (request): Promise<SessionResponse> => {
      const identity = await readIdentity(
        request,
        context.config,
        context.now(),
        context.revocations,
      );
      if (!identity) return { authenticated: false };
      return {
        authenticated: true,
        user: identity.user,
        expiresAt: new Date(identityExpiresAt(identity)).toISOString(),
      };
    },
  );
};
