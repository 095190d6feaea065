/** What every route shares: the configuration, the signing key, the grants in memory. */
import type { ConsentStore } from "./consents.ts";
import type { CredentialState } from "./credential-state.ts";
import { type B2cSettings, b2cIssuer, externalIdIssuer, signInName } from "./customer-tenants.ts";
import type { FaultRegistry } from "./faults.ts";
import type { Permission } from "./scopes.ts";
import type { SigningKey } from "./signing-key.ts";
import type {
  ClientRegistration,
  EmulatorSettings,
  EmulatorTenant,
  TenantKind,
  TestUser,
} from "./types.ts";

/** The platform a redirect URI is registered under: it decides how the code is redeemed. */
export type RedirectPlatform = "web" | "spa" | "publicClient";

/** What `/authorize` returns: any of a code, an ID token, an access token. */
export type ResponseKind = "code" | "id_token" | "token";

export type ResponseMode = "query" | "fragment" | "form_post";

/** PKCE as the authorization request sent it (RFC 7636: `plain` when no method is named). */
export interface CodeChallenge {
  value: string;
  method: "S256" | "plain";
}

/**
 * A validated /authorize (or /adminconsent, or device code) request waiting for the user to
 * pick an account.
 */
export interface AuthorizationRequest {
  /**
   * A sign-in ends with the redirect to the app; an admin consent with `admin_consent=True`;
   * a device code sign-in with a page saying the device may continue.
   */
  purpose: "sign-in" | "admin-consent" | "device-code";
  /** The URL's tenant segment, normalized: a tenant id, `organizations` or `common`. */
  tenant: string;
  client: ClientRegistration;
  redirectUri: string;
  platform: RedirectPlatform;
  responseTypes: ResponseKind[];
  responseMode: ResponseMode;
  scopes: string[];
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: CodeChallenge | undefined;
  loginHint: string | undefined;
  clientCapabilities: string[];
  /** `client_info=1`: MSAL's account id comes back beside the code. */
  clientInfo: boolean;
  /** `prompt=consent`: ask for every requested permission, granted before or not. */
  forceConsent: boolean;
  /** `prompt=login`: a fresh sign-in (a new `auth_time`), even with a session. */
  forceLogin: boolean;
  /** The device code this sign-in approves (purpose "device-code"). */
  deviceCode?: string;
  /** B2C: the user flow the URL names, spelt as configured (e.g. `B2C_1_susi`). */
  policy?: string;
  /** `prompt=create`: External ID shows its sign-up page first. */
  signUp?: boolean;
  createdAt: number;
}

/** A device authorization request (`/devicecode`): the device polls /token meanwhile. */
export interface DeviceAuthorization {
  deviceCode: string;
  /** What the user types at the verification page (upper-case letters and digits). */
  userCode: string;
  tenant: string;
  clientId: string;
  scopes: string[];
  clientCapabilities: string[];
  createdAt: number;
  expiresAt: number;
  status: "pending" | "approved" | "declined" | "redeemed";
  userOid?: string;
  sid?: string;
  authTime?: number;
}

/**
 * A consent prompt on screen. Holds the user and the request server-side, so the form can
 * only accept or decline, never change who signs in or what is granted.
 */
export interface PendingConsent {
  authorization: AuthorizationRequest;
  userOid: string;
  sid: string;
  /** The permissions the prompt lists. */
  permissions: Permission[];
  /**
   * "Need admin approval": the user may not consent, so the page only offers to go back to
   * the app or to sign in with another account.
   */
  adminApproval: boolean;
  createdAt: number;
}

export interface AuthorizationCode {
  /** The tenant segment of the /authorize URL: the code is redeemed at the same. */
  tenant: string;
  clientId: string;
  redirectUri: string;
  platform: RedirectPlatform;
  codeChallenge: CodeChallenge | undefined;
  scopes: string[];
  nonce: string | undefined;
  userOid: string;
  sid: string;
  authTime: number;
  clientCapabilities: string[];
  /** B2C: the user flow that issued it; only that flow's token endpoint redeems it. */
  policy?: string;
  createdAt: number;
  redeemed: boolean;
}

export interface RefreshGrant {
  clientId: string;
  userOid: string;
  sid: string;
  scopes: string[];
  clientCapabilities: string[];
  /** Issued to a public client (SPA, native, device): renewed with no client credential. */
  publicClient: boolean;
  /** A SPA's refresh token ends 24 hours after sign-in, used or not. */
  expiresAt: number | undefined;
  authTime: number | undefined;
  /** B2C: the user flow that issued it; only that flow's token endpoint redeems it. */
  policy?: string;
  issuedAt: number;
  lastUsedAt: number;
}

/**
 * A customer tenant's page on screen (sign-up, profile edit, password reset): the request it
 * continues and, once known, who is signed in. The form can only continue or cancel it.
 */
export interface CustomerPage {
  kind: "sign-up" | "profile-edit" | "password-reset";
  authorization: AuthorizationRequest;
  /** Profile edit: the signed-in user and their session, whose form this is. */
  userOid?: string;
  sid?: string;
  createdAt: number;
}

/** The emulator's browser session: who signed in, and which apps to notify on sign-out. */
export interface BrowserSession {
  sid: string;
  userOid: string;
  clientIds: Set<string>;
  /** When the user last entered credentials (ms): `auth_time`. */
  authTime: number;
}

export interface EmulatorContext {
  url: string;
  browserUrl: string;
  /** Which kind of tenant the emulator stands in for (`workforce` unless asked). */
  tenantKind: TenantKind;
  /** B2C's user flows and token settings (tenantKind `b2c` only). */
  b2c: B2cSettings | undefined;
  /** The default tenant (tenants[0]) and its users. */
  tenantId: string;
  users: TestUser[];
  /** Every tenant, the default one first. */
  tenants: EmulatorTenant[];
  clients: ClientRegistration[];
  /** Registrations that expose APIs; `findClient` finds them too. */
  apis: ClientRegistration[];
  settings: EmulatorSettings;
  /** Strictness beyond Entra that a test asked for (`EmulatorOptions.requirePkce`). */
  requirePkce: boolean;
  faults: FaultRegistry;
  key: SigningKey;
  now: () => number;
  /** Aborted on close(), so held (delayed) responses stop waiting. */
  closing: AbortSignal;
  transactions: Map<string, AuthorizationRequest>;
  pendingConsents: Map<string, PendingConsent>;
  /** Open sign-up, profile edit and password reset pages of customer tenants, by id. */
  customerPages: Map<string, CustomerPage>;
  consents: ConsentStore;
  codes: Map<string, AuthorizationCode>;
  refreshTokens: Map<string, RefreshGrant>;
  /** Device authorization requests, by device code. */
  deviceCodes: Map<string, DeviceAuthorization>;
  sessions: Map<string, BrowserSession>;
  /** Client credentials beyond secrets: used assertion ids, issuers, managed identities. */
  credentials: CredentialState;
}

/** The tenant segments Entra accepts in a URL besides the tenant's GUID. */
export const multiTenantSegments = new Set(["common", "organizations"]);

/** The personal Microsoft accounts "tenant": `consumers`, or its GUID. */
export const consumersTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

/**
 * `consumers` (or its GUID) names personal Microsoft accounts. The emulator hosts none, and
 * no registration here allows them, so it answers there as Entra does for such an app.
 */
export function isConsumersSegment(segment: string): boolean {
  const lower = segment.toLowerCase();
  return lower === "consumers" || lower === consumersTenantId;
}

/** A URL's tenant segment: one tenant (by GUID or domain), or every organization's. */
export type TenantSegment =
  | { kind: "tenant"; tenant: EmulatorTenant }
  | { kind: "multi"; segment: "common" | "organizations" };

export function resolveTenant(ctx: EmulatorContext, segment: string): TenantSegment | undefined {
  if (multiTenantSegments.has(segment)) {
    return { kind: "multi", segment: segment as "common" | "organizations" };
  }
  const wanted = segment.toLowerCase();
  const tenant = ctx.tenants.find(
    (t) => t.tenantId.toLowerCase() === wanted || t.domains.some((d) => d.toLowerCase() === wanted),
  );
  return tenant ? { kind: "tenant", tenant } : undefined;
}

/** The normalized form of a resolved segment: the tenant's id, or the multi-tenant word. */
export function segmentName(segment: TenantSegment): string {
  return segment.kind === "tenant" ? segment.tenant.tenantId : segment.segment;
}

/** The users who can sign in at a URL: the tenant's, or every tenant's. */
export function usersAt(ctx: EmulatorContext, segment: TenantSegment): TestUser[] {
  return segment.kind === "tenant" ? segment.tenant.users : allUsers(ctx);
}

export function isKnownTenant(ctx: EmulatorContext, tenant: string): boolean {
  return resolveTenant(ctx, tenant) !== undefined;
}

/**
 * The v2.0 issuer of a tenant's ID tokens and API access tokens: Entra's `{url}/{tid}/v2.0`;
 * External ID's `https://{tid}.ciamlogin.com/{tid}/v2.0`; B2C's `{url}/{tid}/v2.0/` (or its
 * policy's, with the `tfp` issuer format; `policy` defaults to sign-up/sign-in).
 */
export function issuer(ctx: EmulatorContext, tenantId = ctx.tenantId, policy?: string): string {
  if (ctx.tenantKind === "external") return externalIdIssuer(tenantId);
  if (ctx.b2c)
    return b2cIssuer(ctx.url, tenantId, ctx.b2c, policy ?? ctx.b2c.policies.signUpSignIn);
  return `${ctx.url}/${tenantId}/v2.0`;
}

/** A customer tenant (External ID or B2C): customers, no consent prompts, sign-up. */
export function isCustomerTenant(ctx: EmulatorContext): boolean {
  return ctx.tenantKind !== "workforce";
}

export function allUsers(ctx: EmulatorContext): TestUser[] {
  return ctx.tenants.flatMap((tenant) => tenant.users);
}

/**
 * A user of any tenant, by oid or UPN (any case); in a customer tenant also by the e-mail
 * address customers sign in with.
 */
export function findUser(ctx: EmulatorContext, oidOrUpn: string): TestUser | undefined {
  const wanted = oidOrUpn.toLowerCase();
  return allUsers(ctx).find(
    (user) =>
      user.oid === wanted ||
      user.userPrincipalName.toLowerCase() === wanted ||
      (isCustomerTenant(ctx) && signInName(ctx.tenantKind, user).toLowerCase() === wanted),
  );
}

/** The tenant a user belongs to (each test user is a member of exactly one). */
export function tenantOf(ctx: EmulatorContext, user: TestUser): EmulatorTenant {
  return ctx.tenants.find((tenant) => tenant.users.includes(user)) ?? ctx.tenants[0]!;
}

export function isTenantAdmin(ctx: EmulatorContext, user: TestUser): boolean {
  return tenantOf(ctx, user).admins.includes(user.oid);
}

/** A client or API registration by its application (client) id. */
export function findClient(ctx: EmulatorContext, clientId: string): ClientRegistration | undefined {
  return (
    ctx.clients.find((client) => client.clientId === clientId) ??
    ctx.apis.find((api) => api.clientId === clientId)
  );
}

export function homeTenantId(ctx: EmulatorContext, registration: ClientRegistration): string {
  return registration.homeTenantId ?? ctx.tenantId;
}

/** Whether an app can be used in a tenant: its home tenant, or any when multi-tenant. */
export function isAppInTenant(
  ctx: EmulatorContext,
  registration: ClientRegistration,
  tenantId: string,
): boolean {
  return (
    registration.signInAudience === "AzureADMultipleOrgs" ||
    homeTenantId(ctx, registration).toLowerCase() === tenantId.toLowerCase()
  );
}

export function appDisplayName(registration: ClientRegistration): string {
  return registration.displayName ?? "entra-bff dev-only";
}
