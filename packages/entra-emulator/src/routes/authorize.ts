/**
 * GET /authorize: validate, then show the sign-in form; POST: the user's choice → the consent
 * prompt when the app asks for a permission the user has not granted, else the code.
 * POST /consent: the user's answer to that prompt → code or access_denied.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  type AuthorizationRequest,
  type BrowserSession,
  type EmulatorContext,
  findClient,
  findUser,
  isKnownTenant,
  multiTenantSegments,
} from "../context.ts";
import { aadsts, type EntraErrorInput, entraError } from "../entra-error.ts";
import {
  consentFields,
  consentPage,
  errorPage,
  pageSecurityHeaders,
  signInFields,
  signInPage,
} from "../pages.ts";
import { isRegisteredRedirectUri } from "../redirect-uri.ts";
import { adminConsentedGraphScopes, graphScopeDescriptions, parseScopes } from "../scopes.ts";
import { clientInfo, newAuthorizationCode, newSessionId } from "../tokens.ts";
import type { TestUser } from "../types.ts";
import { applyDelay, type TenantParams } from "./tenant.ts";

/** Authorization codes live ~10 minutes at Entra; an open sign-in form a little longer. */
export const codeLifetimeMs = 10 * 60_000;
const transactionLifetimeMs = 60 * 60_000;
export const sessionCookie = "entra_emulator_sid";

type AuthorizeQuery = Partial<Record<string, string>>;

export function authorizeRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.get<{ Params: TenantParams; Querystring: AuthorizeQuery }>(
    "/:tenant/oauth2/v2.0/authorize",
    async (request, reply) => {
      await applyDelay(ctx, "authorize");
      const { tenant } = request.params;
      const query = request.query;
      if (!isKnownTenant(ctx, tenant)) return showError(reply, 400, aadsts.tenantNotFound(tenant));
      if (!query.client_id) return showError(reply, 400, aadsts.missingParameter("client_id"));
      const client = findClient(ctx, query.client_id);
      if (!client) {
        return showError(reply, 400, aadsts.unknownClient(query.client_id, ctx.tenantId));
      }
      if (!query.redirect_uri) {
        return showError(reply, 400, aadsts.missingParameter("redirect_uri"));
      }
      // Never redirect to an unregistered URI: errors would leak to whoever named it.
      if (!isRegisteredRedirectUri(client, query.redirect_uri)) {
        return showError(
          reply,
          400,
          aadsts.redirectUriMismatch(query.redirect_uri, client.clientId),
        );
      }
      const back = (input: EntraErrorInput) =>
        redirectWithError(ctx, reply, query.redirect_uri!, input, query.state);

      if (!query.response_type) return back(aadsts.missingParameter("response_type"));
      if (query.response_type !== "code") {
        return back(aadsts.unsupportedResponseType(query.response_type));
      }
      if (!query.scope) return back(aadsts.missingParameter("scope"));
      const scopes = parseScopes(query.scope);
      if (scopes.foreign) return back(aadsts.invalidResource(scopes.foreign));
      if (!query.code_challenge || (query.code_challenge_method ?? "plain") !== "S256") {
        return back(aadsts.pkceRequired());
      }

      const authorization: AuthorizationRequest = {
        client,
        redirectUri: query.redirect_uri,
        scopes: query.scope.split(" ").filter(Boolean),
        state: query.state,
        nonce: query.nonce,
        codeChallenge: query.code_challenge,
        loginHint: query.login_hint,
        clientCapabilities: clientCapabilities(query.claims),
        forceConsent: query.prompt === "consent",
        createdAt: ctx.now(),
      };

      const session = currentSession(ctx, request);
      if (query.prompt === "none") {
        if (!session) return back(aadsts.loginRequired());
        if (scopesToConsent(ctx, authorization, session.userOid).length > 0) {
          return back(aadsts.consentRequiredSilently(client.clientId));
        }
        return redirectWithCode(ctx, reply, authorization, session);
      }

      forgetStale(ctx);
      const transaction = randomUUID();
      ctx.transactions.set(transaction, authorization);
      return reply.headers(pageSecurityHeaders).send(
        signInPage({
          action: `${ctx.browserUrl}/${tenant}/oauth2/v2.0/authorize`,
          transaction,
          users: ctx.users,
          loginHint: query.login_hint,
          clientId: client.clientId,
        }),
      );
    },
  );

  app.post<{ Params: TenantParams; Body: Partial<Record<string, string>> }>(
    "/:tenant/oauth2/v2.0/authorize",
    async (request, reply) => {
      const body = request.body ?? {};
      const authorization = takeLive(ctx, ctx.transactions, body[signInFields.transaction]);
      if (!authorization) return showError(reply, 400, expiredRequest("sign-in"));
      if (body[signInFields.cancel]) {
        return redirectWithError(
          ctx,
          reply,
          authorization.redirectUri,
          aadsts.userCancelled(),
          authorization.state,
        );
      }
      const user = findUser(ctx, body[signInFields.user] ?? "");
      if (!user) {
        return showError(reply, 400, {
          error: "invalid_request",
          code: 50034,
          message: `The user account ${body[signInFields.user] ?? ""} does not exist in the '${ctx.tenantId}' directory.`,
        });
      }
      const existing = currentSession(ctx, request);
      const session: BrowserSession =
        existing?.userOid === user.oid
          ? existing
          : { sid: newSessionId(), userOid: user.oid, clientIds: new Set() };
      ctx.sessions.set(session.sid, session);
      for (const path of sessionCookiePaths(ctx)) {
        reply.setCookie(sessionCookie, session.sid, { path, httpOnly: true, sameSite: "lax" });
      }
      // Like Entra, the user is signed in before the prompt: declining keeps the session.
      const scopes = scopesToConsent(ctx, authorization, user.oid);
      if (scopes.length === 0) return redirectWithCode(ctx, reply, authorization, session);
      forgetStale(ctx);
      const pending = randomUUID();
      ctx.pendingConsents.set(pending, {
        authorization,
        userOid: user.oid,
        sid: session.sid,
        scopes,
        createdAt: ctx.now(),
      });
      return showConsent(ctx, reply, request.params.tenant, pending, user, scopes, authorization);
    },
  );

  app.post<{ Params: TenantParams; Body: Partial<Record<string, string>> }>(
    "/:tenant/oauth2/v2.0/consent",
    async (request, reply) => {
      const body = request.body ?? {};
      const pending = takeLive(ctx, ctx.pendingConsents, body[consentFields.request]);
      if (!pending) return showError(reply, 400, expiredRequest("consent"));
      // The prompt belongs to the browser that signed in, and only while that session lasts.
      const session = currentSession(ctx, request);
      if (!session || session.sid !== pending.sid || session.userOid !== pending.userOid) {
        return showError(reply, 400, {
          error: "invalid_request",
          code: 90015,
          message:
            "The consent request does not belong to this browser's sign-in session. Start the sign-in again.",
        });
      }
      const { authorization } = pending;
      const decision = body[consentFields.decision];
      if (decision === consentFields.cancel) {
        return redirectWithError(
          ctx,
          reply,
          authorization.redirectUri,
          aadsts.userCancelled(),
          authorization.state,
        );
      }
      if (decision !== consentFields.accept) {
        return showError(reply, 400, {
          error: "invalid_request",
          code: 900144,
          message: `The consent form must send ${consentFields.decision}=${consentFields.accept} or ${consentFields.decision}=${consentFields.cancel}. Start the sign-in again.`,
        });
      }
      ctx.consents.grant(authorization.client.clientId, pending.userOid, pending.scopes);
      return redirectWithCode(ctx, reply, authorization, session);
    },
  );
}

/**
 * The requested Graph permissions the prompt must list: those the user has not granted this
 * app (the admin-consented ones never), or with `prompt=consent` all of them.
 */
function scopesToConsent(
  ctx: EmulatorContext,
  authorization: AuthorizationRequest,
  userOid: string,
): string[] {
  const requested = parseScopes(authorization.scopes.join(" ")).graph;
  if (authorization.forceConsent) {
    return requested.length > 0 ? requested : [...adminConsentedGraphScopes];
  }
  return ctx.consents.missing(authorization.client.clientId, userOid, requested);
}

function showConsent(
  ctx: EmulatorContext,
  reply: FastifyReply,
  tenant: string,
  pending: string,
  user: TestUser,
  scopes: string[],
  authorization: AuthorizationRequest,
) {
  return reply.headers(pageSecurityHeaders).send(
    consentPage({
      action: `${ctx.browserUrl}/${tenant}/oauth2/v2.0/consent`,
      request: pending,
      clientId: authorization.client.clientId,
      user,
      permissions: scopes.map((scope) => ({
        scope,
        description: graphScopeDescriptions[scope] ?? scope,
      })),
    }),
  );
}

/** Single use: a replayed or stale form never reaches a decision. */
function takeLive<T extends { createdAt: number }>(
  ctx: EmulatorContext,
  pending: Map<string, T>,
  id: string | undefined,
): T | undefined {
  const entry = pending.get(id ?? "");
  pending.delete(id ?? "");
  return entry && ctx.now() - entry.createdAt <= transactionLifetimeMs ? entry : undefined;
}

const expiredRequest = (what: "sign-in" | "consent"): EntraErrorInput => ({
  error: "invalid_request",
  code: 90015,
  message: `The ${what} request expired or was already used. Start the sign-in again.`,
});

function redirectWithCode(
  ctx: EmulatorContext,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  session: BrowserSession,
) {
  const code = newAuthorizationCode();
  ctx.codes.set(code, {
    clientId: authorization.client.clientId,
    redirectUri: authorization.redirectUri,
    codeChallenge: authorization.codeChallenge,
    scopes: authorization.scopes,
    nonce: authorization.nonce,
    userOid: session.userOid,
    sid: session.sid,
    clientCapabilities: authorization.clientCapabilities,
    createdAt: ctx.now(),
    redeemed: false,
  });
  session.clientIds.add(authorization.client.clientId);
  const target = new URL(authorization.redirectUri);
  target.searchParams.set("code", code);
  target.searchParams.set("client_info", clientInfo(session.userOid, ctx.tenantId));
  if (authorization.state !== undefined) target.searchParams.set("state", authorization.state);
  target.searchParams.set("session_state", session.sid);
  return reply.header("cache-control", "no-store").redirect(target.href, 302);
}

function redirectWithError(
  ctx: EmulatorContext,
  reply: FastifyReply,
  redirectUri: string,
  input: EntraErrorInput,
  state: string | undefined,
) {
  const body = entraError(input, { now: ctx.now(), errorBase: ctx.browserUrl });
  const target = new URL(redirectUri);
  target.searchParams.set("error", body.error);
  target.searchParams.set("error_description", body.error_description);
  target.searchParams.set("error_uri", body.error_uri);
  if (state !== undefined) target.searchParams.set("state", state);
  return reply.header("cache-control", "no-store").redirect(target.href, 302);
}

function showError(reply: FastifyReply, status: number, input: EntraErrorInput) {
  return reply
    .code(status)
    .headers(pageSecurityHeaders)
    .send(errorPage(`AADSTS${input.code}`, `AADSTS${input.code}: ${input.message}`));
}

export function currentSession(
  ctx: EmulatorContext,
  request: FastifyRequest,
): BrowserSession | undefined {
  const sid = request.cookies[sessionCookie];
  return sid ? ctx.sessions.get(sid) : undefined;
}

/** Scoped to the emulator's own paths so apps on other localhost ports never receive it. */
export function sessionCookiePaths(ctx: EmulatorContext): string[] {
  return [ctx.tenantId, ...multiTenantSegments].map((tenant) => `/${tenant}/oauth2/`);
}

/** The client capabilities (e.g. CP1) a `claims` request asks for via `xms_cc`. */
export function clientCapabilities(claims: string | undefined): string[] {
  if (!claims) return [];
  try {
    const values = JSON.parse(claims)?.access_token?.xms_cc?.values;
    return Array.isArray(values) ? values.filter((v) => typeof v === "string") : [];
  } catch {
    return [];
  }
}

function forgetStale(ctx: EmulatorContext) {
  const now = ctx.now();
  for (const records of [ctx.transactions, ctx.pendingConsents]) {
    for (const [id, record] of records) {
      if (now - record.createdAt > transactionLifetimeMs) records.delete(id);
    }
  }
}
