/**
 * GET /{tenant}/v2.0/adminconsent: an administrator grants an app's permissions for their
 * whole organization. The answer goes to the app's redirect URI with `admin_consent=True`
 * and the tenant id, or with `error` (Entra's v2 admin consent protocol).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { configuredApplicationPermissions } from "../application-permissions.ts";
import {
  type AuthorizationRequest,
  appDisplayName,
  type EmulatorContext,
  findClient,
  findUser,
  isAppInTenant,
  type PendingConsent,
  resolveTenant,
  segmentName,
  tenantOf,
} from "../context.ts";
import { aadsts, type EntraErrorInput } from "../entra-error.ts";
import { isRegisteredRedirectUri, redirectUriPlatform } from "../redirect-uri.ts";
import { graphResource, parseScopes, permissionName } from "../scopes.ts";
import { redirectWithError, scopeProblem, showError, showSignIn } from "./browser.ts";
import { applyDelay, type TenantParams } from "./tenant.ts";

type AdminConsentQuery = Partial<Record<string, string>>;

export function adminConsentRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.get<{ Params: TenantParams; Querystring: AdminConsentQuery }>(
    "/:tenant/v2.0/adminconsent",
    async (request, reply) => {
      await applyDelay(ctx, "authorize");
      const { tenant } = request.params;
      const query = request.query;
      const segment = resolveTenant(ctx, tenant);
      if (!segment) return showError(reply, 400, aadsts.tenantNotFound(tenant));
      if (!query.client_id) return showError(reply, 400, aadsts.missingParameter("client_id"));
      const client = findClient(ctx, query.client_id);
      const directory = segment.kind === "tenant" ? segment.tenant.tenantId : ctx.tenantId;
      if (!client || !isAppInTenant(ctx, client, directory)) {
        return showError(reply, 400, aadsts.unknownClient(query.client_id, directory));
      }
      if (!query.redirect_uri) {
        return showError(reply, 400, aadsts.missingParameter("redirect_uri"));
      }
      // As at /authorize: an unregistered redirect URI gets a page, never the answer.
      if (!isRegisteredRedirectUri(client, query.redirect_uri)) {
        return showError(
          reply,
          400,
          aadsts.redirectUriMismatch(query.redirect_uri, client.clientId),
        );
      }
      const back = (input: EntraErrorInput) =>
        redirectWithError(ctx, reply, query.redirect_uri!, input, query.state, {
          admin_consent: "True",
        });
      if (!query.scope) return back(aadsts.missingParameter("scope"));
      const scopeError = scopeProblem(parseScopes(ctx, query.scope), appDisplayName(client));
      if (scopeError) return back(scopeError);

      const authorization: AuthorizationRequest = {
        purpose: "admin-consent",
        tenant: segmentName(segment),
        client,
        redirectUri: query.redirect_uri,
        platform: redirectUriPlatform(client, query.redirect_uri) ?? "web",
        responseTypes: [],
        responseMode: "query",
        scopes: query.scope.split(" ").filter(Boolean),
        state: query.state,
        nonce: undefined,
        codeChallenge: undefined,
        loginHint: query.login_hint,
        clientCapabilities: [],
        clientInfo: false,
        forceConsent: true,
        forceLogin: false,
        createdAt: ctx.now(),
      };
      return showSignIn(ctx, reply, tenant, authorization);
    },
  );
}

/**
 * The administrator accepted: the permissions are granted for every user of the admin's
 * tenant, and the app learns which tenant (by id) and which permissions.
 */
export function answerAdminConsent(
  ctx: EmulatorContext,
  reply: FastifyReply,
  pending: PendingConsent,
) {
  const { authorization } = pending;
  const admin = findUser(ctx, pending.userOid)!;
  const tenantId = tenantOf(ctx, admin).tenantId;
  ctx.consents.grantTenant(authorization.client.clientId, tenantId, pending.permissions);
  // `.default` also grants the app's configured application permissions on that resource.
  const { client } = authorization;
  for (const entry of parseScopes(ctx, authorization.scopes.join(" ")).resources) {
    if (!entry.asDefault) continue;
    const roles = configuredApplicationPermissions(ctx, client, entry.resource.id);
    ctx.consents.grantAppRoles(
      client.clientId,
      tenantId,
      roles.map((value) => ({ resourceId: entry.resource.id, value })),
    );
  }
  const target = new URL(authorization.redirectUri);
  target.searchParams.set("admin_consent", "True");
  target.searchParams.set("tenant", tenantId);
  target.searchParams.set(
    "scope",
    pending.permissions
      .map((p) =>
        p.resourceId === graphResource.id
          ? `https://graph.microsoft.com/${p.value}`
          : permissionName(ctx, p),
      )
      .join(" "),
  );
  if (authorization.state !== undefined) target.searchParams.set("state", authorization.state);
  return reply.header("cache-control", "no-store").redirect(target.href, 302);
}

/** Declined, cancelled, or not an administrator: `error` with `admin_consent=True`. */
export function declineAdminConsent(
  ctx: EmulatorContext,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  reason: EntraErrorInput = aadsts.adminConsentDeclined(),
) {
  return redirectWithError(ctx, reply, authorization.redirectUri, reason, authorization.state, {
    admin_consent: "True",
  });
}
