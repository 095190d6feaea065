// GET /auth/edit-profile?returnTo=/path: runs Azure AD B2C's profile editing user flow for the
// signed-in user; the callback then refreshes the session's claims (same user only).
import { apiErrorCodes, paths, signInErrorCodes, signInErrorParam } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { beginAuthorization } from "../authorization.ts";
import type { RouteOptions } from "../context.ts";
import { BffError } from "../errors.ts";
import { safeReturnTo } from "../return-to.ts";
import { readIdentity } from "../session/identity.ts";
import { editedSession } from "../user-flows.ts";

const EditProfileQuerySchema = Type.Object({
  returnTo: Type.Optional(Type.String()),
});

export const editProfileRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (
  app,
  { context },
) => {
  const { config, idp, transactions } = context;

  app.get(
    paths.editProfile,
    { schema: { querystring: EditProfileQuerySchema } },
    async (request, reply) => {
      const flow = config.userFlows?.profileEdit;
      if (!flow) {
        throw new BffError(
          apiErrorCodes.notFound,
          404,
          "Profile editing is not set up: it runs Azure AD B2C's profile editing user flow (B2C_PROFILE_EDIT_POLICY).",
        );
      }
      const returnTo = safeReturnTo(request.query.returnTo, config.publicOrigin);
      const now = context.now();
      const back = (code: string) =>
        reply.redirect(`${config.publicOrigin}/?${signInErrorParam}=${code}`, 303);
      let identity: Awaited<ReturnType<typeof readIdentity>>;
      try {
        identity = await readIdentity(request, config, now, context.revocations);
      } catch (error) {
        if (!(error instanceof BffError)) throw error;
        request.log.warn({ err: error }, "profile edit not started: the session store failed");
        return back(signInErrorCodes.sessionStoreUnavailable);
      }
      // SameSite=Strict: a link from another site arrives without the session, and so only
      // ever leads to signing in, never to editing anyone's profile.
      if (!identity) {
        return reply.redirect(`${paths.login}?${new URLSearchParams({ returnTo })}`, 303);
      }
      if (!idp.loaded) {
        request.log.warn({ reason: idp.lastError }, "profile edit refused: metadata not loaded");
        return back(signInErrorCodes.idpUnavailable);
      }
      const { url, transaction } = await beginAuthorization(
        { config, metadata: idp.get(flow.policy), log: request.log },
        { returnTo, flow: "profileEdit", editing: editedSession(identity) },
        now,
      );
      transactions.save(request, reply, transaction, now);
      return reply.redirect(url, 302);
    },
  );
};
