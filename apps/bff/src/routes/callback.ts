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
import type { FastifyReply, FastifyRequest } from "fastify";
import Type from "typebox";
import {
  beginAuthorization,
  completeAuthorization,
  SignInError,
  sessionScopes,
} from "../authorization.ts";
import type { BffContext, RouteOptions } from "../context.ts";
import { BffError } from "../errors.ts";
import { type Identity, newIdentity, writeIdentity } from "../session/identity.ts";
import { logId } from "../session/log-id.ts";
import { recordIdpSession, recordSessionEnded } from "../session/session-records.ts";
import { type SessionIdentityFields, sessionUserFromClaims } from "../session/session-user.ts";
import { type SignInTransaction, transactionLifetimeSeconds } from "../session/transaction.ts";
import {
  hasLapsed,
  isForgotPassword,
  isUserCancellation,
  otherUser,
  refreshedIdentity,
  transactionPolicy,
} from "../user-flows.ts";

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
          const { error, error_description: description } = query;
          // B2C: Cancel on the profile edit page changes nothing; back where the user was.
          if (transaction.editing && isUserCancellation(error, description)) {
            await spendTransaction(context, transaction, now);
            request.log.info("profile edit cancelled");
            return reply.redirect(`${config.publicOrigin}${transaction.returnTo}`, 303);
          }
          // B2C's "Forgot your password?": its password reset user flow, which ends signed in.
          if (
            config.tenantKind === "b2c" &&
            !transaction.flow &&
            isForgotPassword(error, description)
          ) {
            await spendTransaction(context, transaction, now);
            return await startPasswordReset(context, request, reply, transaction, now);
          }
          throw new SignInError(
            error === "access_denied" ? signInErrorCodes.accessDenied : signInErrorCodes.idpError,
            `the identity provider answered error=${error.slice(0, 100)}: ${(description ?? "").slice(0, 300)}`,
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
        // B2C: the code is redeemed at the user flow that issued it, and its ID token must
        // name that flow.
        const policy = transactionPolicy(config, transaction);
        if (policy === null) {
          throw new SignInError(
            signInErrorCodes.idpError,
            `the sign-in ran the ${transaction.flow} user flow, which is no longer configured`,
          );
        }

        const metadata = idp.get(policy);
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
        const checked = sessionUserFromClaims(completed.claims, config.tenantKind);
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
        if (transaction.editing) {
          await refreshEditedSession(context, request, transaction.editing, fields, now);
          return reply.redirect(`${config.publicOrigin}${transaction.returnTo}`, 303);
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
          completed.accessToken &&
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

/**
 * B2C's answer to "Forgot your password?": a new transaction (the answered one is spent)
 * running the password reset user flow, returning where the sign-in would have.
 */
async function startPasswordReset(
  context: BffContext,
  request: FastifyRequest,
  reply: FastifyReply,
  answered: SignInTransaction,
  now: number,
) {
  const flow = context.config.userFlows?.passwordReset;
  if (!flow) {
    throw new SignInError(
      signInErrorCodes.passwordResetUnavailable,
      'the user chose "Forgot your password?" (AADB2C90118), but B2C_PASSWORD_RESET_POLICY is not set',
    );
  }
  if (!context.idp.loaded) {
    throw new SignInError(signInErrorCodes.idpUnavailable, "identity provider metadata not loaded");
  }
  const { url, transaction } = await beginAuthorization(
    { config: context.config, metadata: context.idp.get(flow.policy), log: request.log },
    {
      returnTo: answered.returnTo,
      extraScopes: answered.extraScopes,
      flow: "passwordReset",
      ...(answered.previousSession ? { previousSession: answered.previousSession } : {}),
    },
    now,
  );
  context.transactions.save(request, reply, transaction, now);
  request.log.info("forgot password: starting the password reset user flow");
  return reply.redirect(url, 302);
}

/**
 * A profile edit's answer refreshes the edited session's claims (same session id, so its
 * token cookies still belong to it) only when it names the same user and that session still
 * lives; else nothing changes. Throws `SignInError`.
 */
async function refreshEditedSession(
  context: BffContext,
  request: FastifyRequest,
  edited: Identity,
  fields: SessionIdentityFields,
  now: number,
): Promise<void> {
  const other = otherUser(edited, fields);
  if (other) {
    request.log.warn(
      { event: "security", session: logId(edited.sid), differ: other },
      "profile edit answered for another user; the session was not changed",
    );
    throw new SignInError(
      signInErrorCodes.wrongAccount,
      `the profile edit's ID token names another user (${other} differ from the session's)`,
    );
  }
  let ended: boolean;
  try {
    ended = hasLapsed(edited, now) || (await context.revocations.isEnded(edited, now));
  } catch (error) {
    if (!(error instanceof BffError)) throw error;
    throw new SignInError(
      signInErrorCodes.sessionStoreUnavailable,
      "the session store did not answer, so the edited session could not be checked",
      { cause: error },
    );
  }
  // A transaction must not bring back a session that signed out meanwhile.
  if (ended) {
    throw new SignInError(
      signInErrorCodes.sessionEnded,
      "the edited session ended (signed out or expired) during the profile edit",
    );
  }
  writeIdentity(
    request,
    context.config,
    refreshedIdentity(context.config, edited, fields, now),
    now,
  );
  request.log.info({ session: logId(edited.sid) }, "profile updated");
}

/** The MSAL or jose error behind a failure, without its stack (which says nothing new). */
function causeOf(error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.message.slice(0, 500) : undefined;
}
