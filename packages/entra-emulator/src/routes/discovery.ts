/** OpenID Provider metadata and signing keys, at Entra's v2.0 URLs. */
import type { FastifyInstance } from "fastify";
import { type EmulatorContext, multiTenantSegments } from "../context.ts";
import { applyDelay, checkTenant, type TenantParams } from "./tenant.ts";

export function discoveryRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.get<{ Params: TenantParams }>(
    "/:tenant/v2.0/.well-known/openid-configuration",
    async (request, reply) => {
      await applyDelay(ctx, "discovery");
      if (!checkTenant(ctx, request, reply)) return reply;
      const { tenant } = request.params;
      // Multi-tenant documents carry Entra's issuer template; tokens name the real tenant.
      const issuerTenant = multiTenantSegments.has(tenant) ? "{tenantid}" : ctx.tenantId;
      const path = multiTenantSegments.has(tenant) ? tenant : ctx.tenantId;
      return reply.header("cache-control", "max-age=86400, private").send({
        token_endpoint: `${ctx.url}/${path}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
        jwks_uri: `${ctx.url}/${path}/discovery/v2.0/keys`,
        response_modes_supported: ["query"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${ctx.url}/${issuerTenant}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${ctx.browserUrl}/${path}/oauth2/v2.0/authorize`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${ctx.browserUrl}/${path}/oauth2/v2.0/logout`,
        claims_supported: [
          "sub",
          "iss",
          "aud",
          "exp",
          "iat",
          "auth_time",
          "acr",
          "nonce",
          "preferred_username",
          "name",
          "tid",
          "ver",
          "at_hash",
          "c_hash",
          "email",
        ],
        // Not in Entra's document; stated so generic clients (openid-client) see PKCE support.
        code_challenge_methods_supported: ["S256"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        tenant_region_scope: "NA",
        cloud_instance_name: "emulator.dev-only",
        msgraph_host: new URL(ctx.url).host,
      });
    },
  );

  app.get<{ Params: TenantParams }>("/:tenant/discovery/v2.0/keys", async (request, reply) => {
    await applyDelay(ctx, "keys");
    if (!checkTenant(ctx, request, reply)) return reply;
    const issuerTenant = multiTenantSegments.has(request.params.tenant)
      ? "{tenantid}"
      : ctx.tenantId;
    return reply.header("cache-control", "max-age=86400, private").send({
      keys: [{ ...ctx.key.jwk, issuer: `${ctx.url}/${issuerTenant}/v2.0` }],
    });
  });
}
