/**
 * Token minting: Entra-shaped v2.0 ID tokens, Graph's (v1.0, with its nonce header) and
 * registered APIs' (v1.0 or v2.0, as each API asks) access tokens, delegated or app-only,
 * signed with jose.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { base64url, SignJWT } from "jose";
import { assignedRoles } from "./app-roles.ts";
import { appDisplayName, type EmulatorContext, findClient, issuer, tenantOf } from "./context.ts";
import { signInName } from "./customer-tenants.ts";
import { b2cAccessTokenClaims, b2cIdTokenClaims } from "./customer-tokens.ts";
import { graphResourceId } from "./defaults.ts";
import { hasOptionalClaim, optionalIdTokenClaims } from "./optional-claims.ts";
import type { ClientRegistration, TestUser } from "./types.ts";

/** Graph tokens are v1.0 tokens (Graph does not accept v2.0 ones): this issuer, not v2.0's. */
export function graphTokenIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

const idTokenLifetimeSeconds = 3600;
/** Entra's default access token lifetime: a random 60 to 90 minutes. */
const accessTokenLifetimeRange = [3600, 5400] as const;

export interface TokenSubject {
  user: TestUser;
  clientId: string;
  sid: string;
  nonce?: string | undefined;
  /** The scopes the request named (OIDC scopes decide what the ID token says). */
  scope: string[];
  clientCapabilities: string[];
  /** `azpacr`: "0" public client, "1" client secret, "2" certificate; default "1". */
  clientAuthentication?: "0" | "1" | "2";
  /** When the user signed in (ms), for `auth_time`. */
  authTime?: number;
  /** B2C: the user flow issuing the tokens (`tfp`, `client_info`); default sign-up/sign-in. */
  policy?: string | undefined;
}

/** `sub` is pairwise: the same user has a different, stable `sub` in each app. */
export function pairwiseSubject(oid: string, clientId: string): string {
  return base64url.encode(createHash("sha256").update(`${oid}:${clientId}`).digest());
}

/** base64url `{"uid","utid"}`: MSAL builds the account id `uid.utid` from it. */
export function clientInfo(oid: string, tenantId: string): string {
  return base64url.encode(JSON.stringify({ uid: oid, utid: tenantId }));
}

/** An opaque `login_hint` claim that the logout endpoint maps back to the session. */
export function loginHintFor(oid: string, tenantId: string, sid: string): string {
  return base64url.encode(JSON.stringify({ oid, tid: tenantId, sid }));
}

export function parseLoginHint(hint: string): { oid?: string; sid?: string } | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(base64url.decode(hint)));
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The object id of an app's service principal in a tenant: the `oid` and `sub` of its
 * app-only tokens. Stable per app and tenant, like Entra's.
 */
export function servicePrincipalId(clientId: string, tenantId: string): string {
  const hex = createHash("sha256").update(`sp:${clientId}:${tenantId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function opaqueId(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

/** The lifetime of the next access token: the fixed setting, else Entra's random 60–90 minutes. */
export function accessTokenLifetime(ctx: EmulatorContext): number {
  const fixed = ctx.settings.accessTokenLifetimeSeconds;
  if (fixed !== undefined) return fixed;
  const [min, max] = accessTokenLifetimeRange;
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** OIDC's left half of a hash (`c_hash`, `at_hash`) for RS256. */
export function halfHash(value: string): string {
  const digest = createHash("sha256").update(value).digest();
  return base64url.encode(digest.subarray(0, digest.length / 2));
}

/**
 * The ID token's claims, in the order a real Entra ID token lists them. Separate from
 * signing so a fault can alter them and still send a properly signed token. `profile`
 * brings `name`, `preferred_username` and `oid`; `email` (or the optional claim) `email`;
 * the registration's optional claims the rest.
 */
export function idTokenClaims(
  ctx: EmulatorContext,
  subject: TokenSubject,
  hashes: { c_hash?: string; at_hash?: string } = {},
): Record<string, unknown> {
  if (ctx.b2c) return b2cIdTokenClaims(ctx, subject, hashes);
  const iat = Math.floor(ctx.now() / 1000);
  const { user } = subject;
  const tid = tenantOf(ctx, user).tenantId;
  const client = findClient(ctx, subject.clientId);
  const roles = client ? assignedRoles(client, user) : [];
  const customer = ctx.tenantKind === "external";
  const scopes = new Set(subject.scope.map((s) => s.toLowerCase()));
  const profile = scopes.has("profile");
  const email =
    (scopes.has("email") || (client && hasOptionalClaim(client, "idToken", "email"))) && user.mail
      ? user.mail
      : undefined;
  return {
    aud: subject.clientId,
    iss: issuer(ctx, tid),
    iat,
    nbf: iat,
    exp: iat + idTokenLifetimeSeconds,
    ...hashes,
    aio: opaqueId(48),
    email,
    // External ID: a social account's identity provider (none for a local account).
    idp: customer ? user.identityProvider : undefined,
    name: profile ? user.displayName : undefined,
    nonce: subject.nonce,
    oid: profile ? user.oid : undefined,
    // A customer signs in with an e-mail address, which External ID puts here.
    preferred_username: profile ? signInName(ctx.tenantKind, user) : undefined,
    rh: `0.${opaqueId(60)}.`,
    roles: roles.length > 0 ? roles : undefined,
    sid: subject.sid,
    sub: pairwiseSubject(user.oid, subject.clientId),
    tid,
    uti: opaqueId(16),
    ver: "2.0",
    ...(client
      ? optionalIdTokenClaims(client, {
          user,
          tenantId: tid,
          profile,
          loginHint: loginHintFor(user.oid, tid, subject.sid),
          authTime: subject.authTime,
        })
      : {}),
  };
}

export function mintIdToken(ctx: EmulatorContext, subject: TokenSubject): Promise<string> {
  return signClaims(ctx, idTokenClaims(ctx, subject));
}

export interface MintedAccessToken {
  token: string;
  expiresIn: number;
}

/**
 * A delegated Graph token: v1.0 claims, and Graph's header (`nonce`, `x5t`). Like Entra's,
 * its signature covers the SHA-256 of the header's nonce rather than the nonce itself, so
 * only Graph (here: the emulator's Graph) can verify it: an app that tries to validate a
 * Graph token fails here as it would against Entra.
 */
export async function mintGraphAccessToken(
  ctx: EmulatorContext,
  subject: TokenSubject,
): Promise<MintedAccessToken> {
  const iat = Math.floor(ctx.now() / 1000);
  const expiresIn = accessTokenLifetime(ctx);
  const { user } = subject;
  const tid = tenantOf(ctx, user).tenantId;
  const client = findClient(ctx, subject.clientId);
  const claims: Record<string, unknown> = {
    aud: graphResourceId,
    iss: graphTokenIssuer(tid),
    iat,
    nbf: iat,
    exp: iat + expiresIn,
    acct: 0,
    acr: "1",
    aio: opaqueId(48),
    amr: ["pwd"],
    app_displayname: client ? appDisplayName(client) : "entra-bff dev-only",
    appid: subject.clientId,
    appidacr: subject.clientAuthentication ?? "1",
    family_name: user.surname,
    given_name: user.givenName,
    idtyp: "user",
    name: user.displayName,
    oid: user.oid,
    scp: subject.scope.join(" "),
    sid: subject.sid,
    sub: pairwiseSubject(user.oid, graphResourceId),
    tid,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: opaqueId(16),
    ver: "1.0",
    xms_cc: subject.clientCapabilities.length > 0 ? subject.clientCapabilities : undefined,
  };
  return { token: await signGraphClaims(ctx, claims), expiresIn };
}

/** An app-only Graph token (client credentials): `roles` = the granted application permissions. */
export async function mintGraphAppToken(
  ctx: EmulatorContext,
  client: ClientRegistration,
  tenantId: string,
  roles: string[],
  clientAuthentication: "1" | "2",
): Promise<MintedAccessToken> {
  const iat = Math.floor(ctx.now() / 1000);
  const expiresIn = accessTokenLifetime(ctx);
  const oid = servicePrincipalId(client.clientId, tenantId);
  const claims: Record<string, unknown> = {
    aud: graphResourceId,
    iss: graphTokenIssuer(tenantId),
    iat,
    nbf: iat,
    exp: iat + expiresIn,
    aio: opaqueId(48),
    app_displayname: appDisplayName(client),
    appid: client.clientId,
    appidacr: clientAuthentication,
    idp: graphTokenIssuer(tenantId),
    idtyp: "app",
    oid,
    rh: `0.${opaqueId(60)}.`,
    roles: roles.length > 0 ? roles : undefined,
    sub: oid,
    tid: tenantId,
    uti: opaqueId(16),
    ver: "1.0",
  };
  return { token: await signGraphClaims(ctx, claims), expiresIn };
}

/** Which token format a registered API asked for (`requestedAccessTokenVersion`). */
export function apiTokenVersion(api: ClientRegistration): "1.0" | "2.0" {
  return api.requestedAccessTokenVersion === 2 ? "2.0" : "1.0";
}

/**
 * A delegated access token for a registered API, v2.0 or v1.0 as the API asked. v2.0:
 * `aud` = the API's client id, the v2.0 issuer, `azp`/`azpacr`, `preferred_username`.
 * v1.0: `aud` = the API as the client named it (its Application ID URI or client id; the
 * client id always with the `aud` optional claim's `use_guid`), the `sts.windows.net`
 * issuer, `appid`/`appidacr`, `upn`, `unique_name`. Both: `scp`, `roles`, pairwise `sub`.
 */
export async function mintApiAccessToken(
  ctx: EmulatorContext,
  subject: TokenSubject,
  api: ClientRegistration,
  scp: string[],
  audienceAsNamed: string,
): Promise<MintedAccessToken> {
  const iat = Math.floor(ctx.now() / 1000);
  const expiresIn = accessTokenLifetime(ctx);
  if (ctx.b2c) {
    const claims = b2cAccessTokenClaims(ctx, subject, api, scp, expiresIn);
    return { token: await signClaims(ctx, claims), expiresIn };
  }
  const { user } = subject;
  const tid = tenantOf(ctx, user).tenantId;
  const roles = assignedRoles(api, user);
  const common = { iat, nbf: iat, exp: iat + expiresIn };
  const idtyp = hasOptionalClaim(api, "accessToken", "idtyp", "include_user_token")
    ? "user"
    : undefined;
  const xms_cc = subject.clientCapabilities.length > 0 ? subject.clientCapabilities : undefined;
  let claims: Record<string, unknown>;
  if (apiTokenVersion(api) === "2.0") {
    // The order of a v2.0 access token in Entra's claims reference.
    claims = {
      aud: api.clientId,
      iss: issuer(ctx, tid),
      ...common,
      aio: opaqueId(48),
      azp: subject.clientId,
      // 1: the client authenticated with a secret (0 = public client, 2 = certificate).
      azpacr: subject.clientAuthentication ?? "1",
      idtyp,
      name: user.displayName,
      oid: user.oid,
      preferred_username: user.userPrincipalName,
      rh: `0.${opaqueId(60)}.`,
      roles: roles.length > 0 ? roles : undefined,
      scp: scp.join(" "),
      sid: hasOptionalClaim(api, "accessToken", "sid") ? subject.sid : undefined,
      sub: pairwiseSubject(user.oid, api.clientId),
      tid,
      uti: opaqueId(16),
      ver: "2.0",
      xms_cc,
    };
  } else {
    claims = {
      aud: hasOptionalClaim(api, "accessToken", "aud", "use_guid") ? api.clientId : audienceAsNamed,
      iss: graphTokenIssuer(tid),
      ...common,
      acr: "1",
      aio: opaqueId(48),
      amr: ["pwd"],
      appid: subject.clientId,
      appidacr: subject.clientAuthentication ?? "1",
      family_name: user.surname,
      given_name: user.givenName,
      idtyp,
      name: user.displayName,
      oid: user.oid,
      rh: `0.${opaqueId(60)}.`,
      roles: roles.length > 0 ? roles : undefined,
      scp: scp.join(" "),
      sid: hasOptionalClaim(api, "accessToken", "sid") ? subject.sid : undefined,
      sub: pairwiseSubject(user.oid, api.clientId),
      tid,
      unique_name: user.userPrincipalName,
      upn: user.userPrincipalName,
      uti: opaqueId(16),
      ver: "1.0",
      xms_cc,
    };
  }
  return { token: await signClaims(ctx, claims), expiresIn };
}

/**
 * An app-only access token for a registered API (client credentials): `roles` = the
 * application permissions granted on it, `idtyp` `app`, `oid` = `sub` = the client's
 * service principal. v2.0 or v1.0 as the API asked.
 */
export async function mintApiAppToken(
  ctx: EmulatorContext,
  client: ClientRegistration,
  api: ClientRegistration,
  tenantId: string,
  roles: string[],
  clientAuthentication: "1" | "2",
  audienceAsNamed: string,
): Promise<MintedAccessToken> {
  const iat = Math.floor(ctx.now() / 1000);
  const expiresIn = accessTokenLifetime(ctx);
  const oid = servicePrincipalId(client.clientId, tenantId);
  const common = { iat, nbf: iat, exp: iat + expiresIn };
  const rolesClaim = roles.length > 0 ? roles : undefined;
  const claims: Record<string, unknown> =
    apiTokenVersion(api) === "2.0"
      ? {
          aud: api.clientId,
          iss: issuer(ctx, tenantId),
          ...common,
          aio: opaqueId(48),
          azp: client.clientId,
          azpacr: clientAuthentication,
          idtyp: "app",
          oid,
          rh: `0.${opaqueId(60)}.`,
          roles: rolesClaim,
          sub: oid,
          tid: tenantId,
          uti: opaqueId(16),
          ver: "2.0",
        }
      : {
          aud: hasOptionalClaim(api, "accessToken", "aud", "use_guid")
            ? api.clientId
            : audienceAsNamed,
          iss: graphTokenIssuer(tenantId),
          ...common,
          aio: opaqueId(48),
          appid: client.clientId,
          appidacr: clientAuthentication,
          idp: graphTokenIssuer(tenantId),
          idtyp: "app",
          oid,
          rh: `0.${opaqueId(60)}.`,
          roles: rolesClaim,
          sub: oid,
          tid: tenantId,
          uti: opaqueId(16),
          ver: "1.0",
        };
  return { token: await signClaims(ctx, claims), expiresIn };
}

/** Signs claims with the emulator's key, leaving out undefined ones. */
export function signClaims(ctx: EmulatorContext, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(definedOnly(claims))
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: ctx.key.kid })
    .sign(ctx.key.privateKey);
}

/**
 * Graph's signing: the header names a random `nonce`, but the signature is over the header
 * holding base64url(SHA-256(nonce)) instead. `graphSignedForm` undoes it for verification.
 */
async function signGraphClaims(
  ctx: EmulatorContext,
  claims: Record<string, unknown>,
): Promise<string> {
  const nonce = opaqueId(32);
  const header = { typ: "JWT", nonce, alg: "RS256", x5t: ctx.key.kid, kid: ctx.key.kid };
  const signed = await new SignJWT(definedOnly(claims))
    .setProtectedHeader({ ...header, nonce: hashNonce(nonce) })
    .sign(ctx.key.privateKey);
  const [, payload, signature] = signed.split(".");
  return `${base64url.encode(JSON.stringify(header))}.${payload}.${signature}`;
}

/**
 * The form of a Graph token its signature covers (the header's nonce hashed), for Graph's own
 * validation. Returns other tokens unchanged; never verifies anything itself.
 */
export function graphSignedForm(token: string): string {
  const [head, payload, signature] = token.split(".");
  if (head === undefined || payload === undefined || signature === undefined) return token;
  try {
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(head))) as Record<
      string,
      unknown
    >;
    if (typeof header.nonce !== "string") return token;
    header.nonce = hashNonce(header.nonce);
    return `${base64url.encode(JSON.stringify(header))}.${payload}.${signature}`;
  } catch {
    return token;
  }
}

function hashNonce(nonce: string): string {
  return base64url.encode(createHash("sha256").update(nonce).digest());
}

function definedOnly(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

export function newRefreshToken(): string {
  // Entra's refresh tokens are opaque to clients; so are these.
  return `1.dev-only.${opaqueId(96)}`;
}

export function newAuthorizationCode(): string {
  return `1.dev-only.${opaqueId(48)}`;
}

export function newSessionId(): string {
  return randomUUID();
}
