/**
 * POST /token: the authorization code (PKCE optional, S256 or plain), refresh token,
 * device code, client credentials and on-behalf-of grants. Confidential clients
 * authenticate (client-authentication.ts); public clients (SPA, native, device) send none.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { base64url } from "jose";
import { authenticateClient, ClientAuthenticationError } from "../client-authentication.ts";
import { sendClientCredentialsToken } from "../client-credentials-grant.ts";
import {
  type AuthorizationCode,
  appDisplayName,
  type EmulatorContext,
  findClient,
  findUser,
  isAppInTenant,
  isConsumersSegment,
  type RefreshGrant,
  resolveTenant,
  segmentName,
} from "../context.ts";
import { b2cErrors, findUserFlow } from "../customer-tenants.ts";
import { sendUserTokens, spaRefreshTokenLifetimeMs } from "../delegated-tokens.ts";
import { redeemDeviceCode } from "../device-code-grant.ts";
import { aadsts, type EntraErrorInput, entraTimestamp } from "../entra-error.ts";
import { onBehalfOfSubject } from "../on-behalf-of-grant.ts";
import { requireConfidential, sameTenantSegment, type TokenCaller } from "../token-caller.ts";
import { TokenError } from "../token-error.ts";
import type { TokenSubject } from "../tokens.ts";
import type { ClientRegistration, Fault, GrantType, TokenFaultKind } from "../types.ts";
import { clientCapabilities, codeLifetimeMs } from "./authorize.ts";
import { applyDelay, checkTenant, sendEntraError, type TenantParams } from "./tenant.ts";

const refreshTokenInactivityMs = 90 * 86_400_000;

export const deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";
export const jwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

const grantTypes = new Set<string>([
  "authorization_code",
  "refresh_token",
  "client_credentials",
  deviceCodeGrantType,
  jwtBearerGrantType,
]);

type TokenBody = Partial<Record<string, string>>;
type TokenRequest = FastifyRequest<{
  Params: TenantParams & { policy?: string };
  Querystring: { p?: string };
  Body: TokenBody;
}>;

export function tokenRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  const token = async (request: TokenRequest, reply: FastifyReply) => {
    await applyDelay(ctx, "token");
    // A browser (SPA) reads the answer cross-origin, errors included.
    if (request.headers.origin) reply.header("access-control-allow-origin", "*");
    if (isConsumersSegment(request.params.tenant)) {
      return sendEntraError(
        ctx,
        request,
        reply,
        400,
        aadsts.notEnabledForConsumers("invalid_client"),
      );
    }
    if (!checkTenant(ctx, request, reply)) return reply;
    // B2C: every grant belongs to the user flow whose endpoint issued it.
    let policy: string | undefined;
    if (ctx.b2c) {
      const named = request.params.policy ?? request.query.p;
      policy = findUserFlow(ctx.b2c, named)?.policy;
      if (!policy) {
        const tenant = request.params.tenant;
        return sendEntraError(
          ctx,
          request,
          reply,
          400,
          named ? b2cErrors.policyNotFound(named, tenant) : b2cErrors.noPolicy(tenant),
        );
      }
    }
    try {
      const body = request.body ?? {};
      const grantType = body.grant_type;
      if (!grantType) throw new TokenError(400, aadsts.missingParameter("grant_type"));
      const caller = await identifyCaller(ctx, request);
      const { client } = caller;
      const segment = resolveTenant(ctx, request.params.tenant)!;
      // A single-tenant app does not exist in another tenant's directory.
      if (segment.kind === "tenant" && !isAppInTenant(ctx, client, segment.tenant.tenantId)) {
        throw new TokenError(400, aadsts.unknownClient(client.clientId, segment.tenant.tenantId));
      }
      // MSAL names the device code grant by its short name, which Entra accepts too.
      const grant = (grantType === "device_code" ? deviceCodeGrantType : grantType) as GrantType;
      if (!grantTypes.has(grant)) {
        throw new TokenError(400, aadsts.unsupportedGrantType(grantType));
      }
      const fault = ctx.faults.take("token", (f) => isErrorFault(f, grant));
      if (fault) throw new TokenError(...tokenFault(ctx, fault.kind as TokenFaultKind, client));
      const clientInfoAsked = body.client_info === "1";

      switch (grant) {
        case "authorization_code": {
          const { subject, code } = redeemCode(ctx, caller, body, segmentName(segment), policy);
          return await sendUserTokens(ctx, reply, {
            client,
            subject,
            grantType: grant,
            clientInfo: clientInfoAsked,
            publicClient: code.platform !== "web",
            refreshExpiresAt:
              code.platform === "spa" ? ctx.now() + spaRefreshTokenLifetimeMs : undefined,
          });
        }
        case "refresh_token": {
          const { subject, refresh } = redeemRefreshToken(ctx, caller, body, policy);
          return await sendUserTokens(ctx, reply, {
            client,
            subject,
            grantType: grant,
            clientInfo: clientInfoAsked,
            publicClient: refresh.publicClient,
            refreshExpiresAt: refresh.expiresAt,
          });
        }
        case deviceCodeGrantType: {
          const subject = redeemDeviceCode(ctx, caller, body, segmentName(segment));
          return await sendUserTokens(ctx, reply, {
            client,
            subject,
            grantType: grant,
            clientInfo: clientInfoAsked,
            publicClient: caller.authentication === "0",
            refreshExpiresAt: undefined,
          });
        }
        case jwtBearerGrantType: {
          const subject = await onBehalfOfSubject(ctx, caller, body);
          return await sendUserTokens(ctx, reply, {
            client,
            subject,
            grantType: grant,
            clientInfo: clientInfoAsked,
            publicClient: false,
            refreshExpiresAt: undefined,
          });
        }
        case "client_credentials":
          return await sendClientCredentialsToken(ctx, reply, caller, body, segment);
      }
    } catch (error) {
      if (!(error instanceof TokenError || error instanceof ClientAuthenticationError)) throw error;
      return sendEntraError(ctx, request, reply, error.status, error.input);
    }
  };
  app.post("/:tenant/oauth2/v2.0/token", token);
  if (ctx.b2c) app.post("/:tenant/:policy/oauth2/v2.0/token", token);

  // The v1.0 endpoints: the emulator speaks v2.0 only, and says so in Entra's shape.
  app.post<{ Params: TenantParams }>("/:tenant/oauth2/token", async (request, reply) =>
    sendEntraError(ctx, request, reply, 400, {
      error: "invalid_request",
      code: 900144,
      message: `This emulator hosts Entra's v2.0 token endpoint only: POST /${request.params.tenant}/oauth2/v2.0/token (with 'scope' rather than 'resource').`,
    }),
  );
}

/**
 * A request that presents a credential is authenticated as a confidential client. One that
 * presents none is a public client: only a grant that allows it (a SPA's or native app's
 * code, their refresh tokens, the device code of an app allowing public client flows) goes on.
 */
async function identifyCaller(ctx: EmulatorContext, request: TokenRequest): Promise<TokenCaller> {
  const body = request.body ?? {};
  const crossOrigin = typeof request.headers.origin === "string";
  const presented =
    body.client_secret !== undefined ||
    body.client_assertion !== undefined ||
    body.client_assertion_type !== undefined ||
    /^basic /i.test(request.headers.authorization ?? "");
  if (presented) {
    const client = await authenticateClient(ctx, request);
    return { client, authentication: body.client_assertion ? "2" : "1", crossOrigin };
  }
  if (!body.client_id) throw new TokenError(400, aadsts.missingParameter("client_id"));
  const client = findClient(ctx, body.client_id);
  if (!client) throw new TokenError(400, aadsts.unknownClient(body.client_id, ctx.tenantId));
  // An app with no public client platform is confidential in every flow.
  if (!isPublicClientCapable(client)) {
    throw new TokenError(
      401,
      body.grant_type === "client_credentials"
        ? aadsts.clientCredentialRequired()
        : aadsts.missingClientSecret(),
    );
  }
  return { client, authentication: "0", crossOrigin };
}

/** A SPA or mobile/desktop redirect URI, or "Allow public client flows". */
function isPublicClientCapable(client: ClientRegistration): boolean {
  return (
    (client.spa?.redirectUris.length ?? 0) > 0 ||
    (client.publicClient?.redirectUris.length ?? 0) > 0 ||
    client.isFallbackPublicClient === true
  );
}

/** B2C: only the user flow that issued a grant redeems it (AADB2C90088). */
function checkGrantPolicy(issuedBy: string | undefined, endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  const actual = issuedBy ?? "";
  if (actual.toLowerCase() !== endpoint.toLowerCase()) {
    throw new TokenError(400, b2cErrors.grantForOtherPolicy(actual, endpoint));
  }
}

function redeemCode(
  ctx: EmulatorContext,
  caller: TokenCaller,
  body: TokenBody,
  tenant: string,
  policy: string | undefined,
): { subject: TokenSubject; code: AuthorizationCode } {
  const { client } = caller;
  if (!body.code) throw new TokenError(400, aadsts.missingParameter("code"));
  if (!body.redirect_uri) throw new TokenError(400, aadsts.missingParameter("redirect_uri"));
  const grant = ctx.codes.get(body.code);
  if (!grant) throw new TokenError(400, aadsts.malformedGrant());
  if (grant.clientId !== client.clientId) throw new TokenError(400, aadsts.grantForOtherClient());
  checkClientType(caller, grant.platform);
  checkGrantPolicy(grant.policy, policy);
  if (grant.redeemed) throw new TokenError(400, aadsts.codeRedeemed());
  // Any redemption attempt spends the code, so a stolen code cannot be tried repeatedly
  // (unless a test asked for a replayable code, to check the app's own single use).
  const replayable = ctx.faults.take("token", (f) => f.kind === "replayable_code");
  if (!replayable) grant.redeemed = true;
  if (ctx.now() - grant.createdAt > codeLifetimeMs) throw new TokenError(400, aadsts.codeExpired());
  if (!sameTenantSegment(grant.tenant, tenant)) {
    throw new TokenError(400, aadsts.codeForOtherTenant());
  }
  if (body.redirect_uri !== grant.redirectUri) {
    throw new TokenError(400, aadsts.replyAddressMismatch(body.redirect_uri, grant.redirectUri));
  }
  if (grant.codeChallenge) {
    const verifier = body.code_verifier;
    if (!verifier) throw new TokenError(400, aadsts.pkceVerifierMissing());
    const expected =
      grant.codeChallenge.method === "S256"
        ? base64url.encode(createHash("sha256").update(verifier).digest())
        : verifier;
    if (!sameString(expected, grant.codeChallenge.value)) {
      throw new TokenError(400, aadsts.pkceMismatch());
    }
  }
  const user = findUser(ctx, grant.userOid);
  if (!user) throw new TokenError(400, aadsts.malformedGrant());
  const requested = body.scope ? body.scope.split(" ").filter(Boolean) : grant.scopes;
  return {
    code: grant,
    subject: {
      user,
      clientId: client.clientId,
      sid: grant.sid,
      nonce: grant.nonce,
      scope: requested,
      clientCapabilities: unique([...grant.clientCapabilities, ...clientCapabilities(body.claims)]),
      clientAuthentication: caller.authentication,
      authTime: grant.authTime,
      policy: grant.policy,
    },
  };
}

/**
 * A code is redeemed by the client type its redirect URI's platform stands for: a web app
 * with its credential, a SPA cross-origin without one, a native app without one.
 */
function checkClientType(caller: TokenCaller, platform: AuthorizationCode["platform"]): void {
  if (platform === "web") {
    if (caller.crossOrigin) throw new TokenError(400, aadsts.crossOriginNotSpa());
    requireConfidential(caller);
    return;
  }
  if (caller.authentication !== "0") {
    throw new TokenError(401, aadsts.publicClientWithCredential());
  }
  if (platform === "spa" && !caller.crossOrigin) {
    throw new TokenError(400, aadsts.spaNeedsCrossOrigin());
  }
}

function redeemRefreshToken(
  ctx: EmulatorContext,
  caller: TokenCaller,
  body: TokenBody,
  policy: string | undefined,
): { subject: TokenSubject; refresh: RefreshGrant } {
  const { client } = caller;
  if (!body.refresh_token) throw new TokenError(400, aadsts.missingParameter("refresh_token"));
  const grant = ctx.refreshTokens.get(body.refresh_token);
  if (!grant) throw new TokenError(400, aadsts.malformedGrant());
  // Refresh tokens are bound to the app they were issued to.
  if (grant.clientId !== client.clientId) throw new TokenError(400, aadsts.grantForOtherClient());
  checkGrantPolicy(grant.policy, policy);
  if (grant.publicClient) {
    if (caller.authentication !== "0") {
      throw new TokenError(401, aadsts.publicClientWithCredential());
    }
    if (grant.expiresAt !== undefined && !caller.crossOrigin) {
      throw new TokenError(400, aadsts.spaNeedsCrossOrigin());
    }
  } else {
    if (caller.crossOrigin) throw new TokenError(400, aadsts.crossOriginNotSpa());
    requireConfidential(caller);
  }
  if (grant.expiresAt !== undefined && ctx.now() >= grant.expiresAt) {
    throw new TokenError(
      400,
      aadsts.spaRefreshTokenExpired(entraTimestamp(grant.expiresAt - spaRefreshTokenLifetimeMs)),
    );
  }
  if (ctx.now() - grant.lastUsedAt > refreshTokenInactivityMs) {
    throw new TokenError(400, aadsts.refreshTokenExpired(entraTimestamp(grant.issuedAt)));
  }
  // Like Entra, the used refresh token stays valid; the response carries a new one too.
  grant.lastUsedAt = ctx.now();
  const user = findUser(ctx, grant.userOid);
  if (!user) throw new TokenError(400, aadsts.malformedGrant());
  return {
    refresh: grant,
    subject: {
      user,
      clientId: client.clientId,
      sid: grant.sid,
      scope: body.scope ? body.scope.split(" ").filter(Boolean) : grant.scopes,
      clientCapabilities: unique([...grant.clientCapabilities, ...clientCapabilities(body.claims)]),
      clientAuthentication: caller.authentication,
      authTime: grant.authTime,
      policy: grant.policy,
    },
  };
}

function matchesGrant(fault: { grantType?: GrantType }, grantType: GrantType): boolean {
  return !fault.grantType || fault.grantType === grantType;
}

/** The faults that replace the answer with an error (not delays, not altered answers). */
const errorKinds = new Set<string>([
  "invalid_grant",
  "interaction_required",
  "consent_required",
  "temporarily_unavailable",
  "server_error",
]);

function isErrorFault(fault: Fault, grantType: GrantType): boolean {
  return (
    fault.target === "token" &&
    errorKinds.has(fault.kind) &&
    matchesGrant(fault as { grantType?: GrantType }, grantType)
  );
}

function tokenFault(
  ctx: EmulatorContext,
  kind: TokenFaultKind,
  client: ClientRegistration,
): [number, EntraErrorInput] {
  switch (kind) {
    case "invalid_grant":
      return [
        400,
        aadsts.refreshTokenExpired(entraTimestamp(ctx.now() - refreshTokenInactivityMs)),
      ];
    case "interaction_required":
      return [
        400,
        aadsts.mfaRequired(
          JSON.stringify({
            access_token: {
              capolids: { essential: true, values: ["00000000-0000-0000-0000-00000000c0a1"] },
            },
          }),
        ),
      ];
    case "consent_required":
      return [400, aadsts.consentRequired(client.clientId, appDisplayName(client))];
    case "temporarily_unavailable":
      return [503, aadsts.temporarilyUnavailable()];
    case "server_error":
      return [500, aadsts.serverError()];
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
