// GET /api/me: the user's Graph profile, called server-side with the session's delegated
// access token (renewed silently when it has expired or Graph refuses it); for Azure AD B2C,
// whose users Graph has no profile for, the same contract from the ID token's claims.
import {
  ApiErrorSchema,
  apiErrorCodes,
  type Profile,
  ProfileSchema,
  paths,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteOptions } from "../context.ts";
import { BffError } from "../errors.ts";
import { fetchProfile, GraphUnauthorizedError } from "../graph-client.ts";
import { profileFromClaims } from "../profile-from-claims.ts";
import { requireSession } from "../session/signed-in.ts";
import { meResource } from "../tokens/resources.ts";
import { withAccessToken } from "../tokens/with-access-token.ts";

export const meRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const { config } = context;

  app.get(
    paths.me,
    { schema: { response: { 200: ProfileSchema, "4xx": ApiErrorSchema, "5xx": ApiErrorSchema } } },
    async (request, reply): Promise<Profile> => {
      const session = await requireSession(context, request, reply);
      // B2C has no Graph profile for its users: the ID token's claims, saying which.
      if (config.tenantKind === "b2c") return profileFromClaims(session.identity);
      const profile = await withAccessToken<Profile>(
        context,
        request,
        reply,
        session,
        meResource(config, session.tokens.scopes),
        async (accessToken) => {
          try {
            return {
              ok: await fetchProfile(
                context.http,
                config.graphBaseUrl,
                accessToken,
                config.graphTimeoutMs,
                context.metrics,
              ),
            };
          } catch (error) {
            if (error instanceof GraphUnauthorizedError) {
              return { unauthorized: { claims: error.claims } };
            }
            throw error;
          }
        },
        {
          replayable: true,
          refusedAfterRenewal: () =>
            new BffError(
              apiErrorCodes.graphError,
              502,
              "Microsoft Graph rejected a freshly renewed access token.",
            ),
        },
      );
      // The token is this session's user's; a profile of anyone else is not an answer.
      if (profile.id !== session.identity.user.oid) {
        request.log.warn(
          { event: "security" },
          "Microsoft Graph's /me answered with another user's id; not served",
        );
        throw new BffError(
          apiErrorCodes.graphError,
          502,
          "Microsoft Graph answered with a profile that is not the signed-in user's.",
        );
      }
      return profile;
    },
  );
};
