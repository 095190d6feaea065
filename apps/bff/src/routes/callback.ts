// GET /auth/callback: the redirect URI. Finds the sign-in transaction by `state`, redeems
// the code, validates the ID token and starts a fresh session. Every failure lands on the
// SPA with `?authError=<code>` and no session; nothing here answers 500.
import { randomBytes } from "node:crypto";
import {
  paths,
  type SignInErrorCode,
  signInErrorCodes,
  signInErrorParam,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { completeAuthorization, SignInError, sessionScopes } from "../authorization.ts";
import type { RouteOptions } from "../context.ts";
import { newIdentity, writeIdentity } from "../session/identity.ts";
import { isIdpSessionId } from "../session/revocation.ts";
import { recordIdpSession, recordSessionEnded } from "../session/session-records.ts";

const CallbackQuerySchema = Type.Object({
  code: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  error_description: Type.Optional(Type.String()),
});

export const callbackRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const { config, idp, transactions, tokens } = context;
  const fail = (code: SignInErrorCode) => `${config.publicOrigin}/?${signInErrorParam}=${code}`;

  app.get(
    paths.callback,
    {
      schema: { querystring: CallbackQuerySchema },
      // A malformed query is a failed sign-in too, not a 400 page.
      attachValidation: true,
    },
    async (request, reply) => {
      const now = context.now();
      const query = request.validationError ? {} : request.query;
      // Single use: the transaction cookie is deleted whatever happens next.
      const transaction = transactions.take(request, reply, query.state, now);
      try {
        if (query.error) {
          throw new SignInError(
            query.error === "access_denied"
              ? signInErrorCodes.accessDenied
              : signInErrorCodes.idpError,
            `the identity provider answered error=${query.error.slice(0, 100)}: ${(query.error_description ?? "").slice(0, 300)}`,
          );
        }
        if (!transaction) {
          throw new SignInError(
            signInErrorCodes.stateMismatch,
            "`state` matches no sign-in transaction of this browser: expired, already used, forged, or started in another browser",
          );
        }
        if (!query.code)
          throw new SignInError(signInErrorCodes.idpError, "the callback has no `code`");
        if (!idp.loaded)
          throw new SignInError(
            signInErrorCodes.idpUnavailable,
            "identity provider metadata not loaded",
          );

        const metadata = idp.get();
        const completed = await completeAuthorization(
          {
            config,
            metadata,
            log: request.log,
            validateIdToken: context.idTokenValidator(metadata),
          },
          transaction,
          query.code,
          now,
        );
        const { claims } = completed;
        // A new session id at every sign-in: nothing from before the sign-in carries over.
        const sid = randomBytes(16).toString("base64url");
        const identity = newIdentity(
          config,
          {
            sid,
            user: {
              name: claims.name ?? claims.preferred_username ?? "",
              username: claims.preferred_username ?? "",
              oid: claims.oid ?? claims.sub ?? "",
              tenantId: claims.tid,
            },
            loginHint: claims.login_hint,
            idpSid: isIdpSessionId(claims.sid) ? claims.sid : undefined,
          },
          now,
        );
        writeIdentity(request, config, identity, now);
        tokens.write(
          reply,
          {
            sid,
            refreshToken: completed.refreshToken,
            accessToken: completed.accessToken,
            accessTokenExpiresAt: completed.accessTokenExpiresAt,
            scopes: sessionScopes(config, transaction),
          },
          identity.absoluteExpiresAt,
          now,
        );
        // Independent writes: sent together rather than one after the other.
        await Promise.all([
          transaction.previousSession &&
            recordSessionEnded(context.revocations, request.log, transaction.previousSession),
          identity.idpSid &&
            recordIdpSession(
              context.revocations,
              request.log,
              identity.idpSid,
              identity.absoluteExpiresAt,
              now,
            ),
        ]);
        request.log.info({ sid, oid: identity.user.oid, tid: identity.user.tenantId }, "signed in");
        context.metrics.signIn();
        return reply.redirect(`${config.publicOrigin}${transaction.returnTo}`, 303);
      } catch (error) {
        if (error instanceof SignInError) {
          request.log.warn(
            { code: error.code, reason: error.message, cause: causeOf(error) },
            "sign-in failed",
          );
          context.metrics.signInFailed(error.code);
          return reply.redirect(fail(error.code), 303);
        }
        request.log.error({ err: error }, "sign-in failed unexpectedly");
        context.metrics.signInFailed(signInErrorCodes.codeRedemptionFailed);
        return reply.redirect(fail(signInErrorCodes.codeRedemptionFailed), 303);
      }
    },
  );
};

/** The MSAL or jose error behind a failure, without its stack (which says nothing new). */
function causeOf(error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.message.slice(0, 500) : undefined;
}
