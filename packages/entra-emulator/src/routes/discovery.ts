/**
 * OpenID Provider metadata and signing keys at Entra's URLs: the v2.0 documents, and the
 * v1.0 ones some clients still read (e.g. for the logout endpoint).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  consumersTenantId,
  type EmulatorContext,
  isConsumersSegment,
  issuer,
  resolveTenant,
  segmentName,
} from "../context.ts";
import { b2cErrors, findUserFlow } from "../customer-tenants.ts";
import { graphTokenIssuer } from "../tokens.ts";
import type { Fault } from "../types.ts";
import { applyDelay, checkTenant, sendEntraError, type TenantParams } from "./tenant.ts";

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

/** The v2.0 issuer a document names: Entra's template for every organization, else the tenant's. */
function documentIssuer(ctx: EmulatorContext, issuerTenant: string): string {
  return issuerTenant === "{tenantid}" || issuerTenant === consumersTenantId
    ? `${ctx.url}/${issuerTenant}/v2.0`
    : issuer(ctx, issuerTenant);
}

type PolicyParams = TenantParams & { policy?: string };
type PolicyRequest = FastifyRequest<{ Params: PolicyParams; Querystring: { p?: string } }>;

/**
 * B2C: the user flow a URL names, by path (`/{tenant}/{policy}/…`) or B2C's older `?p=`,
 * spelt as configured; else B2C's error (AADB2C90022) and `undefined`.
 */
function b2cPolicy(
  ctx: EmulatorContext,
  request: PolicyRequest,
  reply: FastifyReply,
): string | undefined {
  const named = request.params.policy ?? request.query.p;
  const found = findUserFlow(ctx.b2c!, named);
  if (found) return found.policy;
  const tenant = request.params.tenant;
  void sendEntraError(
    ctx,
    request,
    reply,
    404,
    named ? b2cErrors.policyNotFound(named, tenant) : b2cErrors.noPolicy(tenant),
  );
  return undefined;
}

/**
 * A B2C user flow's document: every endpoint under `/{tenant}/{policy}/` (the tenant as the
 * URL named it, the policy in lower case, as B2C writes them); B2C's issuer, scopes and
 * claims; no userinfo, device code or front-channel logout of Entra's.
 */
function b2cDocument(ctx: EmulatorContext, tenant: string, policy: string) {
  const tid = resolveTenant(ctx, tenant);
  const path = `${tenant}/${policy.toLowerCase()}`;
  const tenantId = tid?.kind === "tenant" ? tid.tenant.tenantId : ctx.tenantId;
  return {
    issuer: forgedIssuer(ctx) ?? issuer(ctx, tenantId, policy),
    authorization_endpoint: `${ctx.browserUrl}/${path}/oauth2/v2.0/authorize`,
    token_endpoint: `${ctx.url}/${path}/oauth2/v2.0/token`,
    end_session_endpoint: `${ctx.browserUrl}/${path}/oauth2/v2.0/logout`,
    jwks_uri: `${ctx.url}/${path}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    response_types_supported: [
      "code",
      "code id_token",
      "code token",
      "code id_token token",
      "id_token",
      "id_token token",
      "token",
      "token id_token",
    ],
    scopes_supported: ["openid"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    claims_supported: [
      "name",
      "given_name",
      "family_name",
      "emails",
      "idp",
      "oid",
      "sub",
      ctx.b2c!.policyClaim,
      "iss",
      "iat",
      "exp",
      "aud",
      "nonce",
      "auth_time",
    ],
    code_challenge_methods_supported: ["plain", "S256"],
  };
}

export function discoveryRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  if (ctx.b2c) {
    // Every B2C document belongs to one user flow: `/{tenant}/{policy}/v2.0/…`, or `?p=`.
    const b2cDiscovery = async (request: PolicyRequest, reply: FastifyReply) => {
      await applyDelay(ctx, "discovery");
      if (!checkTenant(ctx, request, reply)) return reply;
      const policy = b2cPolicy(ctx, request, reply);
      if (!policy) return reply;
      return reply
        .header("cache-control", cached)
        .send(b2cDocument(ctx, request.params.tenant, policy));
    };
    const b2cKeys = async (request: PolicyRequest, reply: FastifyReply) => {
      await applyDelay(ctx, "keys");
      if (!checkTenant(ctx, request, reply)) return reply;
      if (!b2cPolicy(ctx, request, reply)) return reply;
      // B2C's keys name no issuer.
      return reply.header("cache-control", cached).send({ keys: [ctx.key.jwk] });
    };
    app.get("/:tenant/:policy/v2.0/.well-known/openid-configuration", b2cDiscovery);
    app.get("/:tenant/v2.0/.well-known/openid-configuration", b2cDiscovery);
    app.get("/:tenant/:policy/discovery/v2.0/keys", b2cKeys);
    app.get("/:tenant/discovery/v2.0/keys", b2cKeys);
    return;
  }

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
        issuer: forgedIssuer(ctx) ?? documentIssuer(ctx, issuerTenant),
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
      version === "v2.0" ? documentIssuer(ctx, issuerTenant) : graphTokenIssuer(issuerTenant);
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
