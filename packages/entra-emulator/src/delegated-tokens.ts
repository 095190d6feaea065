/**
 * What every grant that acts for a user answers (code, refresh, device code, on-behalf-of,
 * and the implicit `token` at /authorize): one resource's access token carrying every
 * permission consented for that resource, the ID token when `openid` was asked, a refresh
 * token with `offline_access`.
 */
import type { FastifyReply } from "fastify";
import { base64url } from "jose";
import {
  allUsers,
  appDisplayName,
  type EmulatorContext,
  findUser,
  isAppInTenant,
  tenantOf,
} from "./context.ts";
import {
  b2cClientInfo,
  b2cRefreshTokenLifetimeSeconds,
  b2cTokenResource,
} from "./customer-tokens.ts";
import { aadsts } from "./entra-error.ts";
import {
  graphGrantedScope,
  graphResource,
  type Permission,
  parseScopes,
  type ResourceScopes,
  requestedPermissions,
  type ScopeRequest,
  samePermission,
  wantsRefreshToken,
} from "./scopes.ts";
import { TokenError } from "./token-error.ts";
import {
  clientInfo,
  halfHash,
  idTokenClaims,
  type MintedAccessToken,
  mintApiAccessToken,
  mintGraphAccessToken,
  newRefreshToken,
  signClaims,
  type TokenSubject,
} from "./tokens.ts";
import type { ClientRegistration, Fault, GrantType, TestUser } from "./types.ts";

/** A SPA's refresh tokens end this long after sign-in, however often they are used. */
export const spaRefreshTokenLifetimeMs = 24 * 3600_000;

export interface UserTokenRequest {
  client: ClientRegistration;
  subject: TokenSubject;
  grantType: GrantType;
  /** `client_info=1` in the request: MSAL's account id in the answer. */
  clientInfo: boolean;
  /** The refresh token goes to a public client (SPA, native, device): renewed with no credential. */
  publicClient: boolean;
  /** When the refresh token chain ends regardless of use (a SPA's 24 hours). */
  refreshExpiresAt: number | undefined;
}

/** The one resource a token request is for, and its OIDC scopes. */
export interface TokenTarget {
  scopes: ScopeRequest;
  resource: ResourceScopes;
}

/**
 * Entra issues one audience per token: the resource the scopes name (Graph when they name
 * only OIDC scopes). Throws Entra's token-endpoint errors for a foreign, unknown or second
 * resource, or an API that does not exist in the user's tenant.
 */
export function tokenTarget(ctx: EmulatorContext, user: TestUser, requested: string): TokenTarget {
  // B2C refuses Graph and more than one API with its own errors.
  if (ctx.b2c) b2cTokenResource(ctx, requested);
  const scopes = parseScopes(ctx, requested);
  if (scopes.foreign) throw new TokenError(400, aadsts.invalidResource(scopes.foreign));
  if (scopes.unknown) throw new TokenError(400, aadsts.invalidScope(scopes.unknown.scope));
  if (scopes.resources.length > 1) throw new TokenError(400, aadsts.multipleResources(requested));
  // Only OIDC scopes: Entra answers with a Graph token for what signing in needs.
  const resource: ResourceScopes = scopes.resources[0] ?? {
    resource: graphResource,
    values: [],
    asDefault: false,
    prefix: "",
  };
  if (
    resource.resource.kind === "api" &&
    !isAppInTenant(ctx, resource.resource.registration, tenantOf(ctx, user).tenantId)
  ) {
    throw new TokenError(400, aadsts.invalidResource(resource.prefix));
  }
  return { scopes, resource };
}

/**
 * The permission values a token for `target` carries. Every named one must be granted
 * (else AADSTS65001); `.default` needs none named. Like Entra, the token then carries every
 * permission the user or an admin consented for this app on that resource, not only those
 * asked for ("additive scopes"). No permission named on Graph means signing in's `User.Read`.
 */
export function grantedValues(
  ctx: EmulatorContext,
  client: ClientRegistration,
  user: TestUser,
  target: ResourceScopes,
): string[] {
  const named =
    target.resource.kind === "graph" && target.values.length === 0 && !target.asDefault
      ? { ...target, values: ["User.Read"] }
      : target;
  const who = { oid: user.oid, tenantId: tenantOf(ctx, user).tenantId };
  const wanted = requestedPermissions(ctx, client, [named]);
  const missing = ctx.consents.missing(client.clientId, who, wanted);
  const carried = target.asDefault
    ? wanted.filter((p) => !missing.some((m) => samePermission(m, p)))
    : missing.length > 0
      ? []
      : wanted;
  if (carried.length === 0) {
    throw new TokenError(400, aadsts.consentRequired(client.clientId, appDisplayName(client)));
  }
  const consented = ctx.consents.granted(client.clientId, who, target.resource.id);
  return unique([...carried, ...consented].map((p: Permission) => p.value));
}

/**
 * The access token for `target`: Graph's v1.0 token, or a registered API's in the version
 * it asked for. `scope` is what the answer's `scope` says: Graph's in short form with the
 * OIDC scopes, an API's in full form as the client named it (no OIDC scopes, as at Entra).
 */
export async function accessTokenFor(
  ctx: EmulatorContext,
  subject: TokenSubject,
  target: TokenTarget,
  values: string[],
): Promise<MintedAccessToken & { scope: string[] }> {
  const { resource } = target;
  if (resource.resource.kind === "graph") {
    const scope = graphGrantedScope(target.scopes.oidc, values);
    return { ...(await mintGraphAccessToken(ctx, { ...subject, scope })), scope };
  }
  const prefix = resource.prefix;
  const access = await mintApiAccessToken(
    ctx,
    subject,
    resource.resource.registration,
    values,
    prefix,
  );
  return { ...access, scope: values.map((value) => `${prefix}/${value}`) };
}

/** The token endpoint's answer for a user, in Entra's key order, never cached. */
export async function sendUserTokens(
  ctx: EmulatorContext,
  reply: FastifyReply,
  request: UserTokenRequest,
) {
  if (ctx.b2c) return sendB2cUserTokens(ctx, reply, request);
  const { client, subject, grantType } = request;
  const target = tokenTarget(ctx, subject.user, subject.scope.join(" "));
  const values = grantedValues(ctx, client, subject.user, target.resource);

  // Faults that make a well-formed answer name someone else, or say too much.
  const asUser = otherUserFault(ctx, subject.user, grantType);
  const claimsFault = takeClaimsFault(ctx, grantType);
  const minted: TokenSubject = { ...subject, user: asUser ?? subject.user };
  const mintedTenant = tenantOf(ctx, minted.user).tenantId;
  const access = await accessTokenFor(ctx, minted, target, values);

  const refreshToken = wantsRefreshToken(target.scopes)
    ? issueRefreshToken(ctx, request, minted, { clientCapabilities: subject.clientCapabilities })
    : undefined;
  const idToken = target.scopes.oidc.includes("openid")
    ? await signIdToken(
        ctx,
        idTokenClaims(ctx, { ...minted, scope: target.scopes.oidc }),
        claimsFault,
      )
    : undefined;
  const info = answeredClientInfo(request, claimsFault, () =>
    clientInfo(minted.user.oid, mintedTenant),
  );
  // Key order as Entra sends it.
  return reply
    .header("cache-control", "no-store, no-cache")
    .header("pragma", "no-cache")
    .send({
      token_type: "Bearer",
      scope: access.scope.join(" "),
      expires_in: access.expiresIn,
      ext_expires_in: access.expiresIn,
      access_token: access.token,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: info,
    });
}

/**
 * Azure AD B2C's answer: an access token only for an API the scopes name (none for Graph,
 * which B2C's users have no token for), the ID token of the user flow, a refresh token that
 * only that user flow redeems, and B2C's own members (`not_before`, `id_token_expires_in`,
 * `refresh_token_expires_in`).
 */
async function sendB2cUserTokens(
  ctx: EmulatorContext,
  reply: FastifyReply,
  request: UserTokenRequest,
) {
  const { subject, grantType } = request;
  const requested = subject.scope.join(" ");
  const resource = b2cTokenResource(ctx, requested);
  const oidc = parseScopes(ctx, requested).oidc;
  const asUser = otherUserFault(ctx, subject.user, grantType);
  const claimsFault = takeClaimsFault(ctx, grantType);
  const minted: TokenSubject = { ...subject, user: asUser ?? subject.user };
  // No consent in B2C: an administrator granted the app its API permissions.
  const access =
    resource?.resource.kind === "api"
      ? await mintApiAccessToken(ctx, minted, resource.resource.registration, resource.values, "")
      : undefined;
  // A B2C refresh token is redeemed only at the user flow that issued it.
  const refreshToken = oidc.includes("offline_access")
    ? issueRefreshToken(ctx, request, minted, { clientCapabilities: [], policy: subject.policy })
    : undefined;
  const idToken = oidc.includes("openid")
    ? await signIdToken(ctx, idTokenClaims(ctx, minted), claimsFault)
    : undefined;
  const info = answeredClientInfo(request, claimsFault, () => b2cClientInfo(ctx, minted));
  const now = Math.floor(ctx.now() / 1000);
  const scope = [
    ...(resource ? resource.values.map((value) => `${resource.prefix}/${value}`) : []),
    ...oidc.filter((s) => s === "openid" || s === "offline_access"),
  ];
  return reply
    .header("cache-control", "no-store, no-cache")
    .header("pragma", "no-cache")
    .send({
      access_token: access?.token,
      id_token: idToken,
      token_type: "Bearer",
      not_before: now,
      expires_in: access?.expiresIn,
      expires_on: access ? now + access.expiresIn : undefined,
      resource: resource?.resource.id,
      id_token_expires_in: idToken ? 3600 : undefined,
      scope: scope.join(" "),
      refresh_token: refreshToken,
      refresh_token_expires_in: refreshToken ? b2cRefreshTokenLifetimeSeconds : undefined,
      client_info: info,
    });
}

/**
 * The ID token an /authorize answer carries (implicit and hybrid flows): `nonce`, and the
 * hash of the code (`c_hash`) or access token (`at_hash`) it comes with.
 */
export function authorizeIdToken(
  ctx: EmulatorContext,
  subject: TokenSubject,
  alongside: { code?: string; accessToken?: string },
): Promise<string> {
  const oidc = parseScopes(ctx, subject.scope.join(" ")).oidc;
  return signClaims(
    ctx,
    idTokenClaims(
      ctx,
      { ...subject, scope: oidc },
      {
        ...(alongside.code ? { c_hash: halfHash(alongside.code) } : {}),
        ...(alongside.accessToken ? { at_hash: halfHash(alongside.accessToken) } : {}),
      },
    ),
  );
}

/** `other_user`: the user the answer names instead (by UPN or oid, else the next one). */
function otherUserFault(
  ctx: EmulatorContext,
  user: TestUser,
  grantType: GrantType,
): TestUser | undefined {
  const fault = ctx.faults.take(
    "token",
    (f): f is Extract<Fault, { kind: "other_user" }> =>
      f.kind === "other_user" && matchesGrant(f, grantType),
  );
  if (!fault) return undefined;
  if (fault.user) return findUser(ctx, fault.user);
  const colleagues = tenantOf(ctx, user).users;
  const pool = colleagues.length > 1 ? colleagues : allUsers(ctx);
  return pool[(pool.indexOf(user) + 1) % pool.length];
}

export function matchesGrant(fault: { grantType?: GrantType }, grantType: GrantType): boolean {
  return !fault.grantType || fault.grantType === grantType;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

type ClaimsFault = Extract<Fault, { kind: "id_token_claims" }>;

/** A test's fault that edits the next ID token of this grant, if one is set. */
function takeClaimsFault(ctx: EmulatorContext, grantType: GrantType): ClaimsFault | undefined {
  return ctx.faults.take(
    "token",
    (f): f is ClaimsFault => f.kind === "id_token_claims" && matchesGrant(f, grantType),
  );
}

/** Records a new refresh token for the minted user's grant and returns it. */
function issueRefreshToken(
  ctx: EmulatorContext,
  request: UserTokenRequest,
  minted: TokenSubject,
  grant: { clientCapabilities: string[]; policy?: string | undefined },
): string {
  const { subject } = request;
  const refreshToken = newRefreshToken();
  ctx.refreshTokens.set(refreshToken, {
    clientId: subject.clientId,
    userOid: minted.user.oid,
    sid: subject.sid,
    scopes: subject.scope,
    clientCapabilities: grant.clientCapabilities,
    publicClient: request.publicClient,
    expiresAt: request.refreshExpiresAt,
    authTime: subject.authTime,
    ...("policy" in grant ? { policy: grant.policy } : {}),
    issuedAt: ctx.now(),
    lastUsedAt: ctx.now(),
  });
  return refreshToken;
}

/** Signs the ID token's claims, after a claims fault removed or set some. */
async function signIdToken(
  ctx: EmulatorContext,
  claims: Record<string, unknown>,
  fault: ClaimsFault | undefined,
): Promise<string> {
  for (const name of fault?.remove ?? []) delete claims[name];
  Object.assign(claims, fault?.set ?? {});
  return signClaims(ctx, claims);
}

/** `client_info` when the client asked for it: a fault's, else the minted user's. */
function answeredClientInfo(
  request: UserTokenRequest,
  fault: ClaimsFault | undefined,
  own: () => string,
): string | undefined {
  if (fault?.clientInfo) return base64url.encode(JSON.stringify(fault.clientInfo));
  return request.clientInfo ? own() : undefined;
}
