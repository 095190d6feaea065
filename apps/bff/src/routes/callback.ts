// GET /auth/callback: the redirect URI. Finds the sign-in transaction by `state`, spends it,
// redeems the code, validates the ID token and starts a fresh session. Every failure lands
// on the SPA with `?authError=<code>` and no session; nothing here answers 500.
import { createHash, randomBytes } from "node:crypto";
import {
  paths,
  type SignInErrorCode,
  signInErrorCodes,
  signInErrorParam,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { completeAuthorization, SignInError, sessionScopes } from "../authorization.ts";
import type { BffContext, RouteOptions } from "../context.ts";
import { BffError } from "../errors.ts";
import { newIdentity, writeIdentity } from "../session/identity.ts";
import { logId } from "../session/log-id.ts";
import { recordIdpSession, recordSessionEnded } from "../session/session-records.ts";
import { sessionUserFromClaims } from "../session/session-user.ts";
import { type SignInTransaction, transactionLifetimeSeconds } from "../session/transaction.ts";

const CallbackQuerySchema = Type.Object({
  code: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  error_description: Type.Optional(Type.String()),
});

export const callbackRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const { config, idp, transactions, tokens } = context;
  /**
   * Back to the page the sign-in started from when the transaction says which (a cancelled
   * sign-in keeps the user where they were), else the SPA's root; `?authError=` says why.
   */
  const fail = (code: SignInErrorCode, transaction: SignInTransaction | undefined) => {
    const target = new URL(transaction?.returnTo ?? "/", config.publicOrigin);
    target.searchParams.set(signInErrorParam, code);
    return `${config.publicOrigin}${target.pathname}${target.search}${target.hash}`;
  };

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
      // This URL carries the code: the page the browser lands on next must not learn it
      // from a Referer (RFC 9700 4.2.4).
      reply.header("referrer-policy", "no-referrer");
      // Single use: the transaction cookie is deleted whatever happens next.
      const transaction = transactions.take(request, reply, query.state, now);
      try {
        // An answer, error or not, counts only for a sign-in this browser started: a forged
        // link must not even choose the message the user sees.
        if (!transaction) {
          throw new SignInError(
            signInErrorCodes.stateMismatch,
            "`state` matches no sign-in transaction of this browser: expired, already used, forged, or started in another browser",
          );
        }
        if (query.error) {
          throw new SignInError(
            query.error === "access_denied"
              ? signInErrorCodes.accessDenied
              : signInErrorCodes.idpError,
            `the identity provider answered error=${query.error.slice(0, 100)}: ${(query.error_description ?? "").slice(0, 300)}`,
          );
        }
        if (!query.code)
          throw new SignInError(signInErrorCodes.idpError, "the callback has no `code`");
        await spendTransaction(context, transaction, now);
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
        const checked = sessionUserFromClaims(completed.claims);
        if ("problem" in checked) {
          throw new SignInError(
            signInErrorCodes.invalidIdToken,
            `ID token refused: ${checked.problem}`,
          );
        }
        const { ok: fields, dropped } = checked;
        if (dropped.length > 0) {
          request.log.warn(
            { dropped },
            "ID token claims too large or malformed for the session; dropped",
          );
        }
        const tenant = fields.user.tenantId.toLowerCase();
        if (config.allowedTenants && !config.allowedTenants.includes(tenant)) {
          throw new SignInError(
            signInErrorCodes.tenantNotAllowed,
            `tenant ${tenant} is not in ALLOWED_TENANTS`,
          );
        }
        // A new session id at every sign-in: nothing from before the sign-in carries over.
        const sid = randomBytes(16).toString("base64url");
        const identity = newIdentity(config, { sid, ...fields }, now);
        writeIdentity(request, config, identity, now);
        tokens.write(
          reply,
          { sid, refreshToken: completed.refreshToken, scopes: sessionScopes(config, transaction) },
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
          context.accessTokens.store(request.log, identity, "me", {
            accessToken: completed.accessToken,
            expiresAt: completed.accessTokenExpiresAt,
          }),
        ]);
        request.log.info(
          { session: logId(sid), oid: identity.user.oid, tid: identity.user.tenantId },
          "signed in",
        );
        context.metrics.signIn();
        return reply.redirect(`${config.publicOrigin}${transaction.returnTo}`, 303);
      } catch (error) {
        if (error instanceof SignInError) {
          request.log.warn(
            { code: error.code, reason: error.message, cause: causeOf(error) },
            "sign-in failed",
          );
          context.metrics.signInFailed(error.code);
          return reply.redirect(fail(error.code, transaction), 303);
        }
        request.log.error({ err: error }, "sign-in failed unexpectedly");
        context.metrics.signInFailed(signInErrorCodes.codeRedemptionFailed);
        return reply.redirect(fail(signInErrorCodes.codeRedemptionFailed, transaction), 303);
      }
    },
  );
};

/**
 * Records the transaction as used in the shared store, so that a replay of the identical
 * callback request — cookie included, before the browser dropped it — is refused here, on
 * every instance, without relying on the identity provider to refuse a reused code.
 */
async function spendTransaction(
  context: BffContext,
  transaction: SignInTransaction,
  now: number,
): Promise<void> {
  const stateId = createHash("sha256").update(transaction.state).digest("base64url");
  const until = transaction.createdAt + transactionLifetimeSeconds * 1000;
  let first: boolean;
  try {
    first = await context.revocations.consumeState(stateId, until, now);
  } catch (error) {
    if (!(error instanceof BffError)) throw error;
    throw new SignInError(
      signInErrorCodes.sessionStoreUnavailable,
      "the session store did not answer, so the sign-in transaction could not be spent",
      { cause: error },
    );
  }
  if (!first) {
    throw new SignInError(
      signInErrorCodes.stateMismatch,
      "`state` was already used: this callback is a replay of a completed or attempted sign-in",
    );
  }
}

/** The MSAL or jose error behind a failure, without its stack (which says nothing new). */
function causeOf(error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.message.slice(0, 500) : undefined;
}
