// GET /auth/session: who is signed in, from the identity cookie alone. The SPA polls it, so
// it decrypts no token cookie, calls nobody and does not extend the session.
import {
  paths,
  type SessionFeatures,
  type SessionResponse,
  SessionResponseSchema,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import type { Config } from "../config.ts";
import type { RouteOptions } from "../context.ts";
import { type Identity, identityExpiresAt, readIdentity } from "../session/identity.ts";

export const sessionRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const features = sessionFeatures(context.config);
  // A signed-in answer depends on the identity alone, and one cookie value decrypts to one
  // frozen identity object (identity-cookie.ts), so the SPA's polling is answered with bytes
  // serialized once per identity; they go when the identity leaves the decrypted cache.
  const signedInAnswers = new WeakMap<Identity, string>();
  app.get(
    paths.session,
    { schema: { response: { 200: SessionResponseSchema } } },
    async (request, reply) => {
      const identity = await readIdentity(
        request,
        context.config,
        context.now(),
        context.revocations,
      );
      if (!identity) return { authenticated: false, ...features } satisfies SessionResponse;
      let answer = signedInAnswers.get(identity);
      if (answer === undefined) {
        const signedIn: SessionResponse = {
          authenticated: true,
          user: identity.user,
          expiresAt: new Date(identityExpiresAt(identity)).toISOString(),
          ...features,
        };
        // The route's own response serializer: the same bytes as returning the object.
        answer = reply.serializeInput(signedIn, "200") as string;
        signedInAnswers.set(identity, answer);
      }
      // The typed reply takes only the object; these are its bytes, already serialized.
      return (reply as FastifyReply).type(jsonContentType).send(answer);
    },
  );
};

/** What Fastify sends JSON as; a string payload with it set is sent as it is. */
const jsonContentType = "application/json; charset=utf-8";

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
