/**
 * OpenID Provider metadata and signing keys at Entra's URLs: the v2.0 documents, and the
 * v1.0 ones some clients still read (e.g. for the logout endpoint).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  consumersTenantId,
  type EmulatorContext,
  isConsumersSegment,
  resolveTenant,
  segmentName,
} from "../context.ts";
import { graphTokenIssuer } from "../tokens.ts";
import type { Fault } from "../types.ts";
import { applyDelay, checkTenant, type TenantParams } from "./tenant.ts";

/** The claims Entra's v2.0 document lists, in its order. */
const claimsSupported = [
  "sub",
  "iss",
  "cloud_instance_name",
  "cloud_instance_host_name",
  "cloud_graph_host_name",
  "msgraph_host",
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
];

/**
 * The tenant a document speaks for: in the issuer, Entra's template for the multi-tenant
 * segments (tokens name the real tenant); in the endpoints, the segment as normalized (a
 * domain becomes its tenant's id, as at Entra).
 */
function documentTenant(
  ctx: EmulatorContext,
  tenant: string,
): { issuerTenant: string; path: string } {
  if (isConsumersSegment(tenant)) return { issuerTenant: consumersTenantId, path: "consumers" };
  const segment = resolveTenant(ctx, tenant)!;
  return {
    issuerTenant: segment.kind === "multi" ? "{tenantid}" : segment.tenant.tenantId,
    path: segmentName(segment),
  };
}

/** Discovery and keys answer for `consumers` too (its issuer is the personal accounts tenant). */
function knownSegment(
  ctx: EmulatorContext,
  request: FastifyRequest<{ Params: TenantParams }>,
  reply: FastifyReply,
): boolean {
  return isConsumersSegment(request.params.tenant) || checkTenant(ctx, request, reply);
}

/** A test may make the document name another issuer, to check the client refuses it. */
function forgedIssuer(ctx: EmulatorContext): string | undefined {
  return ctx.faults.take(
    "discovery",
    (f): f is Extract<Fault, { kind: "issuer" }> => f.kind === "issuer",
  )?.issuer;
}

const cached = "max-age=86400, private";

export function discoveryRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.get<{ Params: TenantParams }>(
    "/:tenant/v2.0/.well-known/openid-configuration",
    async (request, reply) => {
      await applyDelay(ctx, "discovery");
      if (!knownSegment(ctx, request, reply)) return reply;
      const { issuerTenant, path } = documentTenant(ctx, request.params.tenant);
      const pages = `${ctx.browserUrl}/${path}`;
      // Entra's keys and order. The back channel is `url`; the pages a browser opens are
      // on `browserUrl` (https only with `httpsPages`).
      return reply.header("cache-control", cached).send({
        token_endpoint: `${ctx.url}/${path}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${ctx.url}/${path}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: forgedIssuer(ctx) ?? `${ctx.url}/${issuerTenant}/v2.0`,
        request_uri_parameter_supported: false,
        // Graph hosts userinfo (graph.microsoft.com/oidc/userinfo): here the emulator's Graph.
        userinfo_endpoint: `${ctx.url}/oidc/userinfo`,
        authorization_endpoint: `${pages}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${ctx.url}/${path}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${pages}/oauth2/v2.0/logout`,
        claims_supported: claimsSupported,
        // Not in Entra's document (which supports both): stated so generic clients
        // (openid-client's supportsPKCE) see that PKCE works.
        code_challenge_methods_supported: ["S256", "plain"],
        tenant_region_scope: "NA",
        cloud_instance_name: "emulator.dev-only",
        cloud_graph_host_name: new URL(ctx.url).host,
        msgraph_host: new URL(ctx.url).host,
      });
    },
  );

  // The v1.0 document: issuer `https://sts.windows.net/{tid}/` (as v1.0 access tokens and
  // Graph's tokens name it) and the v1.0 endpoint paths.
  app.get<{ Params: TenantParams }>(
    "/:tenant/.well-known/openid-configuration",
    async (request, reply) => {
      await applyDelay(ctx, "discovery");
      if (!knownSegment(ctx, request, reply)) return reply;
      const { issuerTenant, path } = documentTenant(ctx, request.params.tenant);
      const pages = `${ctx.browserUrl}/${path}`;
      return reply.header("cache-control", cached).send({
        token_endpoint: `${ctx.url}/${path}/oauth2/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${ctx.url}/${path}/discovery/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
        scopes_supported: ["openid"],
        issuer: forgedIssuer(ctx) ?? graphTokenIssuer(issuerTenant),
        microsoft_multi_refresh_token: true,
        authorization_endpoint: `${pages}/oauth2/authorize`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${pages}/oauth2/logout`,
        claims_supported: [
          "sub",
          "iss",
          "cloud_instance_name",
          "cloud_instance_host_name",
          "cloud_graph_host_name",
          "msgraph_host",
          "aud",
          "exp",
          "iat",
          "auth_time",
          "acr",
          "amr",
          "nonce",
          "email",
          "given_name",
          "family_name",
          "nickname",
        ],
        tenant_region_scope: "NA",
        cloud_instance_name: "emulator.dev-only",
        cloud_graph_host_name: new URL(ctx.url).host,
        msgraph_host: new URL(ctx.url).host,
      });
    },
  );

  const keys = async (
    request: FastifyRequest<{ Params: TenantParams }>,
    reply: FastifyReply,
    version: "v1.0" | "v2.0",
  ) => {
    await applyDelay(ctx, "keys");
    if (!knownSegment(ctx, request, reply)) return reply;
    const { issuerTenant } = documentTenant(ctx, request.params.tenant);
    const keyIssuer =
      version === "v2.0" ? `${ctx.url}/${issuerTenant}/v2.0` : graphTokenIssuer(issuerTenant);
    return reply.header("cache-control", cached).send({
      keys: [{ ...ctx.key.jwk, issuer: keyIssuer }],
    });
  };
  app.get<{ Params: TenantParams }>("/:tenant/discovery/v2.0/keys", (request, reply) =>
    keys(request, reply, "v2.0"),
  );
  app.get<{ Params: TenantParams }>("/:tenant/discovery/keys", (request, reply) =>
    keys(request, reply, "v1.0"),
  );
}
