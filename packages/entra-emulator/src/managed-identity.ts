/**
 * The App Service managed identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`,
 * api-version 2019-08-01), as msal-node's `ManagedIdentityApplication` calls it. It issues
 * Entra tokens for `api://AzureADTokenExchange`: what an app registration trusts as a
 * federated credential (issuer = the tenant's v2.0 issuer, subject = the identity's
 * principal id), so an app runs with no secret at all.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SignJWT } from "jose";
import { type EmulatorContext, issuer } from "./context.ts";
import { tokenExchangeAudience } from "./federated-issuers.ts";
import type { ManagedIdentity } from "./types.ts";

/** The application id of Entra's token exchange resource: the `aud` of its v2.0 tokens. */
export const tokenExchangeAppId = "fb60f99c-7a34-4190-8149-302f77469936";

export const managedIdentityPath = "/msi/token";

const apiVersion = "2019-08-01";
const tokenLifetimeSeconds = 24 * 3600;
const devSubscription =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/dev-only";

export const defaultManagedIdentities: ManagedIdentity[] = [
  {
    clientId: "00000000-0000-0000-0000-0000000a11d1",
    principalId: "00000000-0000-0000-0000-0000000a11d2",
    systemAssigned: true,
  },
];

/** `xms_mirid`: the identity's ARM resource id. */
export function managedIdentityResourceId(identity: ManagedIdentity): string {
  if (identity.resourceId) return identity.resourceId;
  return identity.systemAssigned
    ? `${devSubscription}/providers/Microsoft.Web/sites/entra-bff-dev-only`
    : `${devSubscription}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity.clientId}`;
}

/** Claims only a managed identity's token carries (Entra accepts no other of its own tokens). */
export function isManagedIdentityToken(claims: Record<string, unknown>): boolean {
  return claims.idtyp === "app" && typeof claims.xms_mirid === "string";
}

type IdentityQuery = Partial<
  Record<"api-version" | "resource" | "client_id" | "object_id" | "mi_res_id", string>
>;

export function managedIdentityRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  const handler = async (
    request: FastifyRequest<{ Querystring: IdentityQuery }>,
    reply: FastifyReply,
  ) => {
    // The header is App Service's proof that the caller runs inside the app, not a page
    // that tricked the host into a request (SSRF).
    const header = request.headers["x-identity-header"];
    if (typeof header !== "string" || !sameString(header, ctx.credentials.identityHeader)) {
      return fail(reply, 401, "The X-IDENTITY-HEADER header is missing or wrong.");
    }
    const query = request.query;
    if (query["api-version"] !== apiVersion) {
      return fail(
        reply,
        400,
        `api-version must be ${apiVersion} (got "${query["api-version"] ?? ""}").`,
      );
    }
    const resource = query.resource?.replace(/\/\.default$/, "");
    if (!resource) return fail(reply, 400, "The resource parameter is required.");
    if (resource !== tokenExchangeAudience && resource !== tokenExchangeAppId) {
      return fail(
        reply,
        400,
        `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${ctx.tenantId}. This emulator's identity endpoint issues tokens for ${tokenExchangeAudience} only.`,
      );
    }
    const identity = findIdentity(ctx.credentials.managedIdentities, query);
    if (!identity) {
      return fail(reply, 400, "Unable to load the proper Managed Identity.");
    }
    const iat = Math.floor(ctx.now() / 1000);
    const exp = iat + tokenLifetimeSeconds;
    const token = await mintManagedIdentityToken(ctx, identity, iat, exp);
    return reply.header("cache-control", "no-store").send({
      access_token: token,
      expires_on: String(exp),
      resource,
      token_type: "Bearer",
      client_id: identity.clientId,
    });
  };
  app.get(managedIdentityPath, handler);
  app.get(`${managedIdentityPath}/`, handler);
}

function findIdentity(
  identities: ManagedIdentity[],
  query: IdentityQuery,
): ManagedIdentity | undefined {
  if (query.client_id) return identities.find((i) => i.clientId === query.client_id);
  if (query.object_id) return identities.find((i) => i.principalId === query.object_id);
  if (query.mi_res_id) {
    return identities.find(
      (i) => managedIdentityResourceId(i).toLowerCase() === query.mi_res_id!.toLowerCase(),
    );
  }
  return identities.find((i) => i.systemAssigned);
}

/** A v2.0 app-only token, claims in the order Entra's have them. */
function mintManagedIdentityToken(
  ctx: EmulatorContext,
  identity: ManagedIdentity,
  iat: number,
  exp: number,
): Promise<string> {
  const opaque = (bytes: number) => randomBytes(bytes).toString("base64url");
  return new SignJWT({
    aud: tokenExchangeAppId,
    iss: issuer(ctx),
    iat,
    nbf: iat,
    exp,
    aio: opaque(48),
    azp: identity.clientId,
    azpacr: "2",
    idtyp: "app",
    oid: identity.principalId,
    rh: `0.${opaque(60)}.`,
    sub: identity.principalId,
    tid: ctx.tenantId,
    uti: opaque(16),
    ver: "2.0",
    xms_mirid: managedIdentityResourceId(identity),
  })
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: ctx.key.kid })
    .sign(ctx.key.privateKey);
}

/** App Service's error body: msal-node reads `message`. */
function fail(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({
    statusCode: status,
    message,
    correlationId: randomUUID(),
  });
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
