/** Token minting: Entra-shaped v2.0 ID tokens and Graph access tokens, signed with jose. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { base64url, SignJWT } from "jose";
import { type EmulatorContext, issuer } from "./context.ts";
import { graphResourceId } from "./defaults.ts";
import type { TestUser } from "./types.ts";

/** Graph tokens are v1.0 tokens (Graph does not accept v2.0 ones): this issuer, not v2.0's. */
export function graphTokenIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

const idTokenLifetimeSeconds = 3600;

export interface TokenSubject {
  user: TestUser;
  clientId: string;
  sid: string;
  nonce?: string | undefined;
  scope: string[];
  clientCapabilities: string[];
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

function opaqueId(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

export async function mintIdToken(ctx: EmulatorContext, subject: TokenSubject): Promise<string> {
  const iat = Math.floor(ctx.now() / 1000);
  const { user } = subject;
  // Insertion order mirrors a real Entra ID token, for readers comparing the two.
  const claims: Record<string, unknown> = {
    aud: subject.clientId,
    iss: issuer(ctx),
    iat,
    nbf: iat,
    exp: iat + idTokenLifetimeSeconds,
    aio: opaqueId(48),
    email: subject.scope.includes("email") && user.mail ? user.mail : undefined,
    login_hint: loginHintFor(user.oid, ctx.tenantId, subject.sid),
    name: user.displayName,
    nonce: subject.nonce,
    oid: user.oid,
    preferred_username: user.userPrincipalName,
    rh: `0.${opaqueId(60)}.`,
    sid: subject.sid,
    sub: pairwiseSubject(user.oid, subject.clientId),
    tid: ctx.tenantId,
    uti: opaqueId(16),
    ver: "2.0",
  };
  return sign(ctx, claims);
}

export async function mintGraphAccessToken(
  ctx: EmulatorContext,
  subject: TokenSubject,
): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(ctx.now() / 1000);
  const expiresIn = ctx.settings.accessTokenLifetimeSeconds;
  const { user } = subject;
  const claims: Record<string, unknown> = {
    aud: graphResourceId,
    iss: graphTokenIssuer(ctx.tenantId),
    iat,
    nbf: iat,
    exp: iat + expiresIn,
    acct: 0,
    acr: "1",
    aio: opaqueId(48),
    amr: ["pwd"],
    app_displayname: "entra-bff dev-only",
    appid: subject.clientId,
    appidacr: "1",
    family_name: user.surname,
    given_name: user.givenName,
    idtyp: "user",
    name: user.displayName,
    oid: user.oid,
    scp: subject.scope.join(" "),
    sid: subject.sid,
    sub: pairwiseSubject(user.oid, graphResourceId),
    tid: ctx.tenantId,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: opaqueId(16),
    ver: "1.0",
    xms_cc: subject.clientCapabilities.length > 0 ? subject.clientCapabilities : undefined,
  };
  return { token: await sign(ctx, claims), expiresIn };
}

function sign(ctx: EmulatorContext, claims: Record<string, unknown>): Promise<string> {
  const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return new SignJWT(payload)
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: ctx.key.kid })
    .sign(ctx.key.privateKey);
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
