/**
 * The client credentials grant: an app-only token for `<resource>/.default`, carrying in
 * `roles` every application permission granted to the app on that resource (none is still
 * a token, as at Entra). Only at a tenant's URL: `common`/`organizations` name no tenant.
 */
import type { FastifyReply } from "fastify";
import { grantedApplicationPermissions } from "./application-permissions.ts";
import { type EmulatorContext, isAppInTenant, type TenantSegment } from "./context.ts";
import { aadsts } from "./entra-error.ts";
import { findResource } from "./scopes.ts";
import { requireConfidential, type TokenCaller } from "./token-caller.ts";
import { TokenError } from "./token-error.ts";
import { mintApiAppToken, mintGraphAppToken } from "./tokens.ts";

const defaultSuffix = "/.default";

export async function sendClientCredentialsToken(
  ctx: EmulatorContext,
  reply: FastifyReply,
  caller: TokenCaller,
  body: Partial<Record<string, string>>,
  segment: TenantSegment,
) {
  requireConfidential(caller, aadsts.clientCredentialRequired());
  const { client } = caller;
  if (!body.scope) throw new TokenError(400, aadsts.missingParameter("scope"));
  const scopes = body.scope.split(" ").filter(Boolean);
  const [scope] = scopes;
  if (scopes.length !== 1 || !scope?.toLowerCase().endsWith(defaultSuffix)) {
    throw new TokenError(400, aadsts.clientCredentialsScope(body.scope));
  }
  if (segment.kind !== "tenant") {
    throw new TokenError(400, {
      error: "invalid_request",
      code: 50059,
      message:
        "No tenant-identifying information found in either the request or implied by any provided credentials.",
    });
  }
  const tenantId = segment.tenant.tenantId;
  const named = scope.slice(0, -defaultSuffix.length);
  const resource = findResource(ctx, named);
  if (!resource) throw new TokenError(400, aadsts.invalidResource(scope));
  if (resource.kind === "api" && !isAppInTenant(ctx, resource.registration, tenantId)) {
    throw new TokenError(400, aadsts.invalidResource(scope));
  }
  const roles = grantedApplicationPermissions(ctx, client, resource.id, tenantId);
  const authentication = caller.authentication === "2" ? "2" : "1";
  const access =
    resource.kind === "graph"
      ? await mintGraphAppToken(ctx, client, tenantId, roles, authentication)
      : await mintApiAppToken(
          ctx,
          client,
          resource.registration,
          tenantId,
          roles,
          authentication,
          named.replace(/\/+$/, ""),
        );
  // Entra's answer has no scope, refresh token or ID token here.
  return reply.header("cache-control", "no-store, no-cache").header("pragma", "no-cache").send({
    token_type: "Bearer",
    expires_in: access.expiresIn,
    ext_expires_in: access.expiresIn,
    access_token: access.token,
  });
}
