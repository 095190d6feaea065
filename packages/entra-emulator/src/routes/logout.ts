/**
 * The end-session endpoint (GET or POST, v2.0 and v1.0 paths): end the emulator session,
 * notify apps (front-channel), go back if allowed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { BrowserSession, EmulatorContext } from "../context.ts";
import { findClient } from "../context.ts";
import { pageSecurityHeaders, signedOutPage } from "../pages.ts";
import { isAllowedPostLogoutUri } from "../redirect-uri.ts";
import { parseLoginHint } from "../tokens.ts";
import { currentSession, sessionCookie, sessionCookiePaths } from "./browser.ts";
import type { TenantParams } from "./tenant.ts";

type LogoutQuery = Partial<Record<string, string>>;

export function logoutRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  // OIDC RP-Initiated Logout: the parameters come in the query (GET) or a form (POST). B2C
  // signs out at any of its user flows' endpoints.
  const paths = ["/:tenant/oauth2/v2.0/logout", "/:tenant/oauth2/logout"];
  if (ctx.b2c) paths.push("/:tenant/:policy/oauth2/v2.0/logout");
  for (const path of paths) {
    app.get<{ Params: TenantParams; Querystring: LogoutQuery }>(path, (request, reply) =>
      endSession(ctx, request, reply, request.query),
    );
    app.post<{ Params: TenantParams; Querystring: LogoutQuery; Body: LogoutQuery }>(
      path,
      (request, reply) =>
        endSession(ctx, request, reply, { ...request.query, ...(request.body ?? {}) }),
    );
  }
}

async function endSession(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  query: LogoutQuery,
) {
  const session = sessionToEnd(ctx, request, query.logout_hint);
  const frontchannelUris: string[] = [];
  if (session) {
    ctx.sessions.delete(session.sid);
    for (const clientId of session.clientIds) {
      const uri = findClient(ctx, clientId)?.frontchannelLogoutUri;
      if (!uri) continue;
      // Entra adds only `sid` (no iss): the app matches it to its session's `sid` claim.
      const target = new URL(uri);
      target.searchParams.set("sid", session.sid);
      frontchannelUris.push(target.href);
    }
  }
  for (const path of sessionCookiePaths(ctx)) reply.clearCookie(sessionCookie, { path });

  const postLogout = query.post_logout_redirect_uri;
  let redirect: string | undefined;
  if (postLogout && isAllowedPostLogoutUri(ctx.clients, postLogout)) {
    const target = new URL(postLogout);
    if (query.state !== undefined) target.searchParams.set("state", query.state);
    redirect = target.href;
  }
  return reply.headers(pageSecurityHeaders).send(signedOutPage({ frontchannelUris, redirect }));
}

/** `logout_hint` (the ID token's `login_hint` claim) names the session; else the cookie. */
function sessionToEnd(
  ctx: EmulatorContext,
  request: FastifyRequest,
  logoutHint: string | undefined,
): BrowserSession | undefined {
  const hinted = logoutHint ? parseLoginHint(logoutHint) : undefined;
  if (hinted?.sid) return ctx.sessions.get(hinted.sid);
  return currentSession(ctx, request);
}
