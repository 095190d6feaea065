/** POST /token: authorization_code (PKCE S256 + client secret) and refresh_token grants. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { base64url } from "jose";
import { type EmulatorContext, findClient, findUser } from "../context.ts";
import { aadsts, type EntraErrorInput, entraTimestamp } from "../entra-error.ts";
import { grantedScope, parseScopes, wantsRefreshToken } from "../scopes.ts";
import {
  clientInfo,
  mintGraphAccessToken,
  mintIdToken,
  newRefreshToken,
  type TokenSubject,
} from "../tokens.ts";
import type { ClientRegistration, Fault, TokenFaultKind } from "../types.ts";
import { clientCapabilities, codeLifetimeMs } from "./authorize.ts";
import { applyDelay, checkTenant, sendEntraError, type TenantParams } from "./tenant.ts";

const refreshTokenInactivityMs = 90 * 86_400_000;

type TokenBody = Partial<Record<string, string>>;
type TokenRequest = FastifyRequest<{ Params: TenantParams; Body: TokenBody }>;

class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly input: EntraErrorInput,
  ) {
    super(input.message);
  }
}

export function tokenRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.post<{ Params: TenantParams; Body: TokenBody }>(
    "/:tenant/oauth2/v2.0/token",
    async (request, reply) => {
      await applyDelay(ctx, "token");
      if (!checkTenant(ctx, request, reply)) return reply;
      try {
        const body = request.body ?? {};
        const grantType = body.grant_type;
        if (!grantType) throw new TokenError(400, aadsts.missingParameter("grant_type"));
        const client = authenticateClient(ctx, request);
        if (grantType !== "authorization_code" && grantType !== "refresh_token") {
          throw new TokenError(400, aadsts.unsupportedGrantType(grantType));
        }
        const fault = ctx.faults.take("token", (f) => isTokenFault(f, grantType));
        if (fault) throw new TokenError(...tokenFault(ctx, fault.kind as TokenFaultKind, client));
        const subject =
          grantType === "authorization_code"
            ? redeemCode(ctx, client, body)
            : redeemRefreshToken(ctx, client, body);
        // Awaited so a TokenError thrown while minting lands in the catch below.
        return await sendTokens(ctx, reply, subject);
      } catch (error) {
        if (!(error instanceof TokenError)) throw error;
        return sendEntraError(ctx, request, reply, error.status, error.input);
      }
    },
  );
}

/** client_secret_basic (RFC 6749 2.3.1: form-encoded id and secret) or client_secret_post. */
function authenticateClient(ctx: EmulatorContext, request: TokenRequest): ClientRegistration {
  const body = request.body ?? {};
  let clientId = body.client_id;
  let secret = body.client_secret;
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      clientId = decodeForm(decoded.slice(0, colon));
      secret = decodeForm(decoded.slice(colon + 1));
    }
  }
  if (!clientId) throw new TokenError(400, aadsts.missingParameter("client_id"));
  const client = findClient(ctx, clientId);
  if (!client) throw new TokenError(400, aadsts.unknownClient(clientId, ctx.tenantId));
  if (!secret) throw new TokenError(401, aadsts.missingClientSecret());
  if (!sameString(secret, client.clientSecret)) {
    throw new TokenError(401, aadsts.invalidClientSecret(client.clientId));
  }
  return client;
}

function redeemCode(
  ctx: EmulatorContext,
  client: ClientRegistration,
  body: TokenBody,
): TokenSubject {
  if (!body.code) throw new TokenError(400, aadsts.missingParameter("code"));
  if (!body.redirect_uri) throw new TokenError(400, aadsts.missingParameter("redirect_uri"));
  const grant = ctx.codes.get(body.code);
  if (!grant) throw new TokenError(400, aadsts.malformedGrant());
  if (grant.clientId !== client.clientId) throw new TokenError(400, aadsts.grantForOtherClient());
  if (grant.redeemed) throw new TokenError(400, aadsts.codeRedeemed());
  // Any redemption attempt spends the code, so a stolen code cannot be tried repeatedly.
  grant.redeemed = true;
  if (ctx.now() - grant.createdAt > codeLifetimeMs) throw new TokenError(400, aadsts.codeExpired());
  if (body.redirect_uri !== grant.redirectUri) {
    throw new TokenError(400, aadsts.replyAddressMismatch(body.redirect_uri, grant.redirectUri));
  }
  const challenge = base64url.encode(
    createHash("sha256")
      .update(body.code_verifier ?? "")
      .digest(),
  );
  if (!body.code_verifier || !sameString(challenge, grant.codeChallenge)) {
    throw new TokenError(400, aadsts.pkceMismatch());
  }
  const user = findUser(ctx, grant.userOid);
  if (!user) throw new TokenError(400, aadsts.malformedGrant());
  const requested = body.scope ? body.scope.split(" ").filter(Boolean) : grant.scopes;
  return {
    user,
    clientId: client.clientId,
    sid: grant.sid,
    nonce: grant.nonce,
    scope: requested,
    clientCapabilities: unique([...grant.clientCapabilities, ...clientCapabilities(body.claims)]),
  };
}

function redeemRefreshToken(
  ctx: EmulatorContext,
  client: ClientRegistration,
  body: TokenBody,
): TokenSubject {
  if (!body.refresh_token) throw new TokenError(400, aadsts.missingParameter("refresh_token"));
  const grant = ctx.refreshTokens.get(body.refresh_token);
  if (!grant) throw new TokenError(400, aadsts.malformedGrant());
  // Refresh tokens are bound to the app they were issued to.
  if (grant.clientId !== client.clientId) throw new TokenError(400, aadsts.grantForOtherClient());
  if (ctx.now() - grant.lastUsedAt > refreshTokenInactivityMs) {
    throw new TokenError(400, aadsts.refreshTokenExpired(entraTimestamp(grant.issuedAt)));
  }
  // Like Entra, the used refresh token stays valid; the response carries a new one too.
  grant.lastUsedAt = ctx.now();
  const user = findUser(ctx, grant.userOid);
  if (!user) throw new TokenError(400, aadsts.malformedGrant());
  return {
    user,
    clientId: client.clientId,
    sid: grant.sid,
    scope: body.scope ? body.scope.split(" ").filter(Boolean) : grant.scopes,
    clientCapabilities: unique([...grant.clientCapabilities, ...clientCapabilities(body.claims)]),
  };
}

async function sendTokens(ctx: EmulatorContext, reply: FastifyReply, subject: TokenSubject) {
  const scopes = parseScopes(subject.scope.join(" "));
  if (scopes.foreign) throw new TokenError(400, aadsts.invalidResource(scopes.foreign));
  // A refresh token does not carry consent: it is checked on every use, so revoking consent
  // (or asking for a new permission) sends the app back to the interactive prompt.
  if (ctx.consents.missing(subject.clientId, subject.user.oid, scopes.graph).length > 0) {
    throw new TokenError(400, aadsts.consentRequired(subject.clientId));
  }
  const scope = grantedScope(scopes);
  const granted = { ...subject, scope };
  const access = await mintGraphAccessToken(ctx, granted);
  let refreshToken: string | undefined;
  if (wantsRefreshToken(scopes)) {
    refreshToken = newRefreshToken();
    ctx.refreshTokens.set(refreshToken, {
      clientId: subject.clientId,
      userOid: subject.user.oid,
      sid: subject.sid,
      scopes: subject.scope,
      clientCapabilities: subject.clientCapabilities,
      issuedAt: ctx.now(),
      lastUsedAt: ctx.now(),
    });
  }
  const idToken = scopes.oidc.includes("openid") ? await mintIdToken(ctx, granted) : undefined;
  // Key order as Entra sends it.
  return reply
    .header("cache-control", "no-store, no-cache")
    .header("pragma", "no-cache")
    .send({
      token_type: "Bearer",
      scope: scope.join(" "),
      expires_in: access.expiresIn,
      ext_expires_in: access.expiresIn,
      access_token: access.token,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: clientInfo(subject.user.oid, ctx.tenantId),
    });
}

function isTokenFault(fault: Fault, grantType: string): boolean {
  if (fault.target !== "token" || fault.kind === "delay") return false;
  return !("grantType" in fault) || !fault.grantType || fault.grantType === grantType;
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
      return [400, aadsts.consentRequired(client.clientId)];
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

function decodeForm(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
