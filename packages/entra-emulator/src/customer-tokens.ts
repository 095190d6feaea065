/**
 * Azure AD B2C's tokens: ID and access tokens with B2C's claims (`ver` 1.0, the policy in
 * `tfp` or `acr`, `emails`, `idp`, no `tid`), its `client_info` and its token response.
 */
import { base64url } from "jose";
import { type EmulatorContext, issuer, tenantOf } from "./context.ts";
import { b2cAccountUid, b2cErrors } from "./customer-tenants.ts";
import { parseScopes, type ResourceScopes } from "./scopes.ts";
import { TokenError } from "./token-error.ts";
import type { TokenSubject } from "./tokens.ts";
import type { ClientRegistration } from "./types.ts";

const idTokenLifetimeSeconds = 3600;
/** B2C's default refresh token lifetime: 14 days. */
export const b2cRefreshTokenLifetimeSeconds = 14 * 86_400;

/** The user flow a token is issued by: the subject's, else sign-up/sign-in. */
function policyOf(ctx: EmulatorContext, subject: TokenSubject): string {
  return subject.policy ?? ctx.b2c!.policies.signUpSignIn;
}

/**
 * A B2C ID token's claims, as a user flow returning the user's object id, display name, given
 * name, surname, e-mail addresses and identity provider sends them: `sub` is the object id
 * (B2C's default), the policy is in `tfp` (or `acr`), and there is no `tid`: the issuer names
 * the tenant.
 */
export function b2cIdTokenClaims(
  ctx: EmulatorContext,
  subject: TokenSubject,
  hashes: { c_hash?: string; at_hash?: string } = {},
): Record<string, unknown> {
  const iat = Math.floor(ctx.now() / 1000);
  const { user } = subject;
  const policy = policyOf(ctx, subject);
  return {
    exp: iat + idTokenLifetimeSeconds,
    nbf: iat,
    ver: "1.0",
    iss: issuer(ctx, tenantOf(ctx, user).tenantId, policy),
    sub: user.oid,
    aud: subject.clientId,
    nonce: subject.nonce,
    iat,
    auth_time: Math.floor((subject.authTime ?? ctx.now()) / 1000),
    ...hashes,
    oid: user.oid,
    name: user.displayName,
    given_name: user.givenName || undefined,
    family_name: user.surname || undefined,
    emails: user.mail ? [user.mail] : undefined,
    idp: user.identityProvider,
    // B2C writes the policy as its lower-case id.
    [ctx.b2c!.policyClaim]: policy.toLowerCase(),
  };
}

/** A B2C access token for a registered API: `scp`, `azp`, the policy, no `tid`. */
export function b2cAccessTokenClaims(
  ctx: EmulatorContext,
  subject: TokenSubject,
  api: ClientRegistration,
  scp: string[],
  lifetimeSeconds: number,
): Record<string, unknown> {
  const iat = Math.floor(ctx.now() / 1000);
  const { user } = subject;
  const policy = policyOf(ctx, subject);
  return {
    iss: issuer(ctx, tenantOf(ctx, user).tenantId, policy),
    exp: iat + lifetimeSeconds,
    nbf: iat,
    aud: api.clientId,
    oid: user.oid,
    sub: user.oid,
    name: user.displayName,
    emails: user.mail ? [user.mail] : undefined,
    idp: user.identityProvider,
    [ctx.b2c!.policyClaim]: policy.toLowerCase(),
    scp: scp.join(" "),
    azp: subject.clientId,
    ver: "1.0",
    iat,
  };
}

/** B2C's `client_info`: uid `<oid>-<policy>`, so each user flow is its own MSAL account. */
export function b2cClientInfo(ctx: EmulatorContext, subject: TokenSubject): string {
  const { user } = subject;
  return base64url.encode(
    JSON.stringify({
      uid: b2cAccountUid(user.oid, policyOf(ctx, subject)),
      utid: tenantOf(ctx, user).tenantId,
    }),
  );
}

/**
 * The one API a B2C token request is for, if any: B2C issues no token for Microsoft Graph
 * (or any resource it does not host) to its users, and one resource per token. Only OIDC
 * scopes: an ID token (and refresh token) without an access token.
 */
export function b2cTokenResource(
  ctx: EmulatorContext,
  requested: string,
): ResourceScopes | undefined {
  const scopes = parseScopes(ctx, requested);
  if (scopes.foreign) throw new TokenError(400, b2cErrors.scopeNotSupported(scopes.foreign));
  if (scopes.unknown) throw new TokenError(400, b2cErrors.scopeNotSupported(scopes.unknown.scope));
  const graph = scopes.resources.find((r) => r.resource.kind === "graph");
  if (graph) {
    throw new TokenError(400, b2cErrors.scopeNotSupported(graph.values[0] ?? requested));
  }
  if (scopes.resources.length > 1)
    throw new TokenError(400, b2cErrors.multipleResources(requested));
  return scopes.resources[0];
}
