/** What every route shares: the configuration, the signing key, the grants in memory. */
import type { ConsentStore } from "./consents.ts";
import type { FaultRegistry } from "./faults.ts";
import type { SigningKey } from "./signing-key.ts";
import type { ClientRegistration, TestUser } from "./types.ts";

/** A validated /authorize request waiting for the user to pick an account. */
export interface AuthorizationRequest {
  client: ClientRegistration;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string;
  loginHint: string | undefined;
  clientCapabilities: string[];
  /** `prompt=consent`: ask for every requested permission, granted before or not. */
  forceConsent: boolean;
  createdAt: number;
}

/**
 * A consent prompt on screen. Holds the user and the request server-side, so the form can
 * only accept or decline, never change who signs in or what is granted.
 */
export interface PendingConsent {
  authorization: AuthorizationRequest;
  userOid: string;
  sid: string;
  /** Short-form Graph scopes the prompt lists. */
  scopes: string[];
  createdAt: number;
}

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  nonce: string | undefined;
  userOid: string;
  sid: string;
  clientCapabilities: string[];
  createdAt: number;
  redeemed: boolean;
}

export interface RefreshGrant {
  clientId: string;
  userOid: string;
  sid: string;
  scopes: string[];
  clientCapabilities: string[];
  issuedAt: number;
  lastUsedAt: number;
}

/** The emulator's browser session: who signed in, and which apps to notify on sign-out. */
export interface BrowserSession {
  sid: string;
  userOid: string;
  clientIds: Set<string>;
}

export interface EmulatorContext {
  url: string;
  browserUrl: string;
  tenantId: string;
  users: TestUser[];
  clients: ClientRegistration[];
  settings: { accessTokenLifetimeSeconds: number };
  faults: FaultRegistry;
  key: SigningKey;
  now: () => number;
  /** Aborted on close(), so held (delayed) responses stop waiting. */
  closing: AbortSignal;
  transactions: Map<string, AuthorizationRequest>;
  pendingConsents: Map<string, PendingConsent>;
  consents: ConsentStore;
  codes: Map<string, AuthorizationCode>;
  refreshTokens: Map<string, RefreshGrant>;
  sessions: Map<string, BrowserSession>;
}

/** The tenant segments Entra accepts in a URL besides the tenant's GUID. */
export const multiTenantSegments = new Set(["common", "organizations"]);

export function isKnownTenant(ctx: EmulatorContext, tenant: string): boolean {
  return tenant.toLowerCase() === ctx.tenantId.toLowerCase() || multiTenantSegments.has(tenant);
}

export function issuer(ctx: EmulatorContext): string {
  return `${ctx.url}/${ctx.tenantId}/v2.0`;
}

export function findUser(ctx: EmulatorContext, oidOrUpn: string): TestUser | undefined {
  const wanted = oidOrUpn.toLowerCase();
  return ctx.users.find(
    (user) => user.oid === wanted || user.userPrincipalName.toLowerCase() === wanted,
  );
}

export function findClient(ctx: EmulatorContext, clientId: string): ClientRegistration | undefined {
  return ctx.clients.find((client) => client.clientId === clientId);
}
