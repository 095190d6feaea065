// GET /auth/session: who is signed in, from the identity cookie alone. The SPA polls it, so
// it decrypts no token cookie, calls nobody and does not extend the session.
import {
  paths,
  type SessionFeatures,
  type SessionResponse,
  SessionResponseSchema,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Config } from "../config.ts";
import type { RouteOptions } from "../context.ts";
import { identityExpiresAt, readIdentity } from "../session/identity.ts";

export const sessionRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const features = sessionFeatures(context.config);
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
      if (!identity) return { authenticated: false, ...features };
      return {
        authenticated: true,
        user: identity.user,
        expiresAt: new Date(identityExpiresAt(identity)).toISOString(),
        ...features,
      };
    },
  );
};

/**
 * What a customer tenant offers the SPA beyond sign-in (External ID's sign-up, B2C's profile
 * editing) and lacks (an organization's directory). Nothing for a workforce tenant, whose
 * answer stays as it always was.
 */
function sessionFeatures(config: Config): { features?: SessionFeatures } {
  if (config.tenantKind === "workforce") return {};
  return {
    features: {
      signUp: config.tenantKind === "external",
      editProfile: config.userFlows?.profileEdit !== undefined,
      directory: false,
    },
  };
}
