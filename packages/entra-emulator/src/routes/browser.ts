/**
 * What the browser-facing steps share: the emulator's session cookie, the sign-in form's
 * single-use transactions, error pages, and redirects back to the app.
 */
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  type AuthorizationRequest,
  type BrowserSession,
  type EmulatorContext,
  findUser,
  multiTenantSegments,
  type ResponseMode,
  resolveTenant,
  usersAt,
} from "../context.ts";
import { aadsts, type EntraErrorInput, entraError } from "../entra-error.ts";
import {
  errorPage,
  formPostPage,
  formPostSecurityHeaders,
  pageSecurityHeaders,
  signInPage,
} from "../pages.ts";
import type { ScopeRequest } from "../scopes.ts";
import { parseLoginHint } from "../tokens.ts";

/** An open sign-in form or consent prompt lives as long as Entra's (an hour). */
export const transactionLifetimeMs = 60 * 60_000;
export const sessionCookie = "entra_emulator_sid";

export function currentSession(
  ctx: EmulatorContext,
  request: FastifyRequest,
): BrowserSession | undefined {
  const sid = request.cookies[sessionCookie];
  return sid ? ctx.sessions.get(sid) : undefined;
}

/**
 * Scoped to the emulator's own paths so apps on other localhost ports never receive it. B2C's
 * pages are under `/{tenant}/{policy}/…`: there the cookie covers the tenant's paths, so
 * every user flow shares one session, as at B2C.
 */
export function sessionCookiePaths(ctx: EmulatorContext): string[] {
  const segments = ctx.tenants.flatMap((tenant) => [tenant.tenantId, ...tenant.domains]);
  if (ctx.b2c) return segments.map((tenant) => `/${tenant}/`);
  return [...segments, ...multiTenantSegments].map((tenant) => `/${tenant}/oauth2/`);
}

/**
 * Where a request's pages post: `{pages}/{tenant}/oauth2/v2.0/{step}`, or under the user
 * flow for B2C (`{pages}/{tenant}/{policy}/oauth2/v2.0/{step}`).
 */
export function pageAction(
  ctx: EmulatorContext,
  tenant: string,
  authorization: AuthorizationRequest,
  step: string,
): string {
  const flow = authorization.policy ? `/${authorization.policy}` : "";
  return `${ctx.browserUrl}/${tenant}${flow}/oauth2/v2.0/${step}`;
}

/** Shows the account picker for a validated request: the users of the URL's tenant(s). */
export function showSignIn(
  ctx: EmulatorContext,
  reply: FastifyReply,
  tenant: string,
  authorization: AuthorizationRequest,
) {
  forgetStale(ctx);
  const transaction = randomUUID();
  ctx.transactions.set(transaction, authorization);
  const segment = resolveTenant(ctx, authorization.tenant);
  const signUpSignIn = ctx.b2c
    ? authorization.policy === ctx.b2c.policies.signUpSignIn
    : ctx.tenantKind === "external";
  return reply.headers(pageSecurityHeaders).send(
    signInPage({
      action: pageAction(ctx, tenant, authorization, "authorize"),
      transaction,
      users: segment ? usersAt(ctx, segment) : ctx.users,
      loginHint: hintedUpn(ctx, authorization.loginHint),
      clientId: authorization.client.clientId,
      tenantKind: ctx.tenantKind,
      // A customer may create an account from the sign-in page (External ID's "No account?
      // Create one", B2C's sign-up/sign-in "Sign up now"); B2C's "Forgot your password?".
      offerSignUp: signUpSignIn,
      offerPasswordReset: ctx.b2c !== undefined && signUpSignIn,
    }),
  );
}

/**
 * The UPN a `login_hint` names: a UPN as is, or the opaque `login_hint` claim (which names
 * the user by oid). Undefined for a hint naming nobody the emulator knows.
 */
export function hintedUpn(ctx: EmulatorContext, hint: string | undefined): string | undefined {
  if (!hint) return undefined;
  if (hint.includes("@")) return hint;
  const oid = parseLoginHint(hint)?.oid;
  return oid ? findUser(ctx, oid)?.userPrincipalName : undefined;
}

/** Single use: a replayed or stale form never reaches a decision. */
export function takeLive<T extends { createdAt: number }>(
  ctx: EmulatorContext,
  pending: Map<string, T>,
  id: string | undefined,
): T | undefined {
  const entry = pending.get(id ?? "");
  pending.delete(id ?? "");
  return entry && ctx.now() - entry.createdAt <= transactionLifetimeMs ? entry : undefined;
}

export function forgetStale(ctx: EmulatorContext) {
  const now = ctx.now();
  for (const records of [ctx.transactions, ctx.pendingConsents, ctx.customerPages]) {
    for (const [id, record] of records) {
      if (now - record.createdAt > transactionLifetimeMs) records.delete(id);
    }
  }
}

/**
 * Hands the answer to the app at its redirect URI the way `response_mode` asks: in the
 * query, in the fragment (never seen by a server), or as a form the browser posts. Only for
 * a redirect URI already checked against the registration.
 */
export function respond(
  reply: FastifyReply,
  redirectUri: string,
  mode: ResponseMode,
  params: [string, string][],
) {
  if (mode === "form_post") {
    return reply
      .headers(formPostSecurityHeaders)
      .send(formPostPage({ action: redirectUri, fields: params }));
  }
  const target = new URL(redirectUri);
  if (mode === "fragment") {
    target.hash = new URLSearchParams(params).toString();
  } else {
    for (const [name, value] of params) target.searchParams.set(name, value);
  }
  return reply.header("cache-control", "no-store").redirect(target.href, 302);
}

/** Back to the app with Entra's error parameters (+ `state`), by the request's response mode. */
export function redirectWithError(
  ctx: EmulatorContext,
  reply: FastifyReply,
  redirectUri: string,
  input: EntraErrorInput,
  state: string | undefined,
  extra: Record<string, string> = {},
  mode: ResponseMode = "query",
) {
  const traceId = reply.getHeader("x-ms-request-id");
  const body = entraError(input, {
    now: ctx.now(),
    errorBase: ctx.browserUrl,
    traceId: typeof traceId === "string" ? traceId : undefined,
  });
  const params: [string, string][] = [
    ...Object.entries(extra),
    ["error", body.error],
    ["error_description", body.error_description],
    // B2C sends no error_uri.
    ...("error_uri" in body ? ([["error_uri", body.error_uri]] as [string, string][]) : []),
  ];
  if (state !== undefined) params.push(["state", state]);
  return respond(reply, redirectUri, mode, params);
}

export function showError(reply: FastifyReply, status: number, input: EntraErrorInput) {
  const code = `${input.product === "b2c" ? "AADB2C" : "AADSTS"}${input.code}`;
  return reply
    .code(status)
    .headers(pageSecurityHeaders)
    .send(errorPage(code, `${code}: ${input.message}`));
}

export const expiredRequest = (what: "sign-in" | "consent" | "page"): EntraErrorInput => ({
  error: "invalid_request",
  code: 90015,
  message: `The ${what} request expired or was already used. Start the sign-in again.`,
});

/** The AADSTS error for a scope no hosted resource has, if any. */
export function scopeProblem(scopes: ScopeRequest, appName: string): EntraErrorInput | undefined {
  if (scopes.foreign) return aadsts.invalidResource(scopes.foreign);
  if (scopes.unknown) {
    return aadsts.scopeNotOnResource(appName, scopes.unknown.scope, scopes.unknown.resource.id);
  }
  return undefined;
}
