/** The emulator's public types: users, app registrations, options, faults. */

export interface TestUser {
  oid: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string | null;
  jobTitle: string | null;
  officeLocation: string | null;
  businessPhones: string[];
  mobilePhone: string | null;
  preferredLanguage: string | null;
  /** Graph's `department`, `companyName`, `city`, `country` (returned only on `$select`). */
  department?: string | null;
  companyName?: string | null;
  city?: string | null;
  country?: string | null;
  /**
   * Whether the person has a profile photo (default true): the emulator draws one from the
   * oid. false → Graph's 404 `ImageNotFound` for their photo.
   */
  hasPhoto?: boolean;
  /**
   * Customer tenants (External ID, B2C): the social identity provider the account signs in
   * with, e.g. `google.com` (the `idp` claim). Absent: a local account (email sign-in).
   */
  identityProvider?: string;
}

/**
 * Which kind of Microsoft tenant the emulator stands in for: a workforce Entra ID tenant
 * (the default), an Entra External ID tenant (`*.ciamlogin.com`) or an Azure AD B2C tenant
 * (`*.b2clogin.com`). Each has its own URL shapes, issuer and claims.
 */
export type TenantKind = "workforce" | "external" | "b2c";

/** An Azure AD B2C tenant's user flows (policies) and token compatibility settings. */
export interface B2cOptions {
  /** The sign-up and sign-in user flow; default `B2C_1_susi`. */
  signUpSignInPolicy?: string;
  /** The profile editing user flow; default `B2C_1_profile_edit`; `null`: none. */
  profileEditPolicy?: string | null;
  /** The password reset user flow; default `B2C_1_password_reset`; `null`: none. */
  passwordResetPolicy?: string | null;
  /** "Claim representing policy ID": `tfp` (B2C's default) or `acr` (older apps). */
  policyClaim?: "tfp" | "acr";
  /**
   * "Issuer (iss) claim": `tenant` = `https://<host>/<tenant id>/v2.0/` (B2C's default) or
   * `tfp` = `https://<host>/tfp/<tenant id>/<policy>/v2.0/`.
   */
  issuerFormat?: "tenant" | "tfp";
}

export interface ClientRegistration {
  clientId: string;
  /** A secret without expiry (the legacy single-secret form; see `secrets`). */
  clientSecret?: string;
  /**
   * The Web platform's redirect URIs (a confidential client: the code is redeemed with the
   * app's credential). See `spa` and `publicClient` for the other platforms.
   */
  redirectUris: string[];
  frontchannelLogoutUri?: string;
  /**
   * The single-page application platform: the code flow with PKCE, redeemed cross-origin
   * (the browser's `Origin` header) with no client credential; refresh tokens live 24 hours.
   */
  spa?: { redirectUris: string[] };
  /** Mobile and desktop applications: codes redeemed with no client credential. */
  publicClient?: { redirectUris: string[] };
  /**
   * "Allow public client flows" (the manifest's `allowPublicClient`): the device code flow
   * with no client credential.
   */
  isFallbackPublicClient?: boolean;
  /**
   * The Web platform's "Implicit grant and hybrid flows": `enableIdTokenIssuance` allows
   * `response_type=id_token` (and `code id_token`), `enableAccessTokenIssuance` `token`.
   * Both off by default, as for a new registration.
   */
  implicitGrantSettings?: ImplicitGrantSettings;
  /**
   * Optional claims: `idToken` ones in this app's ID tokens (e.g. `login_hint`, `email`,
   * `upn`, `family_name`), `accessToken` ones in access tokens issued *for* this app as an API.
   */
  optionalClaims?: OptionalClaims;
  /**
   * As an API: the format of access tokens for it (`api.requestedAccessTokenVersion`,
   * the manifest's `accessTokenAcceptedVersion`). Unset or 1 → v1.0 tokens, as at Entra; 2 → v2.0.
   */
  requestedAccessTokenVersion?: 1 | 2;
  /**
   * Application permissions (app roles of another app, the manifest's `requiredResourceAccess`
   * of type `Role`): Graph's short names (`User.Read.All`) or `<Application ID URI>/<role>`.
   * Granted, as after "Grant admin consent", in the app's home tenant; elsewhere once an admin
   * consented (`/.default`). The `roles` of the app's client-credentials tokens.
   */
  applicationPermissions?: string[];
  /** Shown on the consent prompt and in AADSTS messages; default "entra-bff dev-only". */
  displayName?: string;
  /**
   * The app as an API (Entra's "Expose an API"): the Application ID URI scopes are named
   * by, e.g. `api://<clientId>`. Its scopes can also be named `<clientId>/<scope>`.
   */
  applicationIdUri?: string;
  /** Delegated permissions the API exposes (e.g. `Tasks.ReadWrite`), for `scp`. */
  exposedScopes?: ExposedScope[];
  /** App roles: `roles` in this app's ID tokens and in access tokens for it as an API. */
  appRoles?: AppRole[];
  /** Role values assigned per user: key = UPN (any case) or oid. */
  roleAssignments?: Record<string, string[]>;
  /** Which tenants' users may sign in; default AzureADMyOrg (the home tenant only). */
  signInAudience?: "AzureADMyOrg" | "AzureADMultipleOrgs";
  /** The tenant the app is registered in; default the emulator's first tenant. */
  homeTenantId?: string;
  /**
   * The app's configured delegated permissions (Entra's "API permissions", the manifest's
   * `requiredResourceAccess`): what `<resource>/.default` and admin consent stand for.
   * Scope strings as a client names them (`User.Read`, `api://…/Tasks.ReadWrite`). Without
   * it `.default` means Graph `User.Read`, or every scope an API exposes.
   */
  apiPermissions?: string[];
  /** Client secrets ("Certificates & secrets"), each valid until `expiresAt` (ISO 8601). */
  secrets?: ClientSecret[];
  /**
   * Certificates (PEM) whose private keys sign `private_key_jwt` client assertions, named
   * in the assertion by `x5t#S256` or `x5t`. A certificate past its `notAfter` is refused.
   */
  certificates?: string[];
  /** Workload identity federation: tokens of other issuers this app accepts as its credential. */
  federatedCredentials?: FederatedCredential[];
}

export interface ImplicitGrantSettings {
  enableIdTokenIssuance?: boolean;
  enableAccessTokenIssuance?: boolean;
}

/** One entry of the manifest's `optionalClaims`. */
export interface OptionalClaim {
  /** e.g. `login_hint`, `sid`, `email`, `upn`, `family_name`, `given_name`, `acct`, `idtyp`. */
  name: string;
  essential?: boolean;
  /** e.g. `use_guid` on `aud` (v1.0 access tokens), `include_user_token` on `idtyp`. */
  additionalProperties?: string[];
}

export interface OptionalClaims {
  idToken?: OptionalClaim[];
  accessToken?: OptionalClaim[];
}

export interface ClientSecret {
  value: string;
  /** ISO 8601; absent = never expires. */
  expiresAt?: string;
}

/** Entra's federatedIdentityCredential: `iss`, `sub` and one `aud` of the external token. */
export interface FederatedCredential {
  /** Compared exactly (case-sensitive, trailing slash included), as Entra does. */
  issuer: string;
  subject: string;
  /** Default ["api://AzureADTokenExchange"]. */
  audiences?: string[];
}

/** An Azure managed identity the emulator's App Service identity endpoint issues tokens for. */
export interface ManagedIdentity {
  /** Its client id: what `ManagedIdentityApplication`'s `userAssignedClientId` names. */
  clientId: string;
  /** Its object (principal) id: the `sub` of its tokens, the subject a federated credential trusts. */
  principalId: string;
  /** The identity the endpoint answers for when the request names none. */
  systemAssigned?: boolean;
  /** ARM resource id (`xms_mirid`, `mi_res_id`); default derived from the client id. */
  resourceId?: string;
}

export interface ExposedScope {
  value: string;
  description?: string;
}

export interface AppRole {
  value: string;
  description?: string;
  /** Default ["User"]: only roles that allow users are assigned to users. */
  allowedMemberTypes?: ("User" | "Application")[];
}

/** A directory besides the default one, for multi-tenant tests. */
export interface TenantOptions {
  tenantId: string;
  /** A verified domain that names the tenant in URLs, e.g. `fabrikam.example`. */
  domain?: string;
  displayName?: string;
  users: TestUser[];
  /** UPNs or oids of the tenant's administrators: only they can grant admin consent. */
  admins?: string[];
  /**
   * Whether users may consent to apps themselves. Default false here (the user then sees
   * "Need admin approval", AADSTS90094); the default tenant allows it.
   */
  usersCanConsent?: boolean;
}

export interface EmulatorOptions {
  /** 0 = a random free port (the default here; the CLI defaults to 8443). */
  port?: number;
  /**
   * The kind of tenant (default `workforce`, whose behaviour no other option here changes):
   * `external` (Entra External ID: issuer `https://<tenant id>.ciamlogin.com/<tenant id>/v2.0`,
   * a self-service sign-up page for `prompt=create`) or `b2c` (Azure AD B2C: every URL under
   * `/<tenant>/<policy>/`, B2C's claims and user flows). Customer tenants default to a few
   * customer accounts (`defaultCustomers`) and ask nobody for consent (an admin granted it).
   */
  tenantKind?: TenantKind;
  /** B2C only: the user flows and token settings (see `B2cOptions`). */
  b2c?: B2cOptions;
  /** Bind address, default 127.0.0.1. */
  host?: string;
  /** https base the BFF uses (issuer, token, keys, Graph); default https://localhost:<port>. */
  backchannelUrl?: string;
  /**
   * Base of the pages the browser visits (authorize, logout, device login); default
   * http://localhost:<port>, or https://localhost:<port> with `httpsPages`.
   */
  browserUrl?: string;
  /**
   * Advertise the pages over https, as Entra does (default false: plain http, so a browser
   * that does not trust the dev CA shows no warning). Clients that insist on https for every
   * endpoint (openid-client 6, express-openid-connect, oauth4webapi) need it.
   */
  httpsPages?: boolean;
  /**
   * Strictness beyond Entra, for tests of apps that promise it: every authorization request
   * must carry PKCE with S256 (Entra requires PKCE only for SPA redirect URIs and accepts
   * `plain`). Default false.
   */
  requirePkce?: boolean;
  tenantId?: string;
  /** The default tenant's initial domain, naming it in URLs; default `contoso.onmicrosoft.com`. */
  tenantDomain?: string;
  users?: TestUser[];
  /** UPNs or oids of the default tenant's administrators; default Adele Vance. */
  admins?: string[];
  clients?: ClientRegistration[];
  /**
   * App registrations that expose APIs, besides `clients` (a registration may be both);
   * default [the Tasks API]. `[]` registers none.
   */
  apis?: ClientRegistration[];
  /** Further tenants, each with its own users (default none). */
  tenants?: TenantOptions[];
  /** Extra certificate host names besides localhost, 127.0.0.1 and ::1. */
  hostnames?: string[];
  certDir?: string;
  /**
   * A fixed access token lifetime. Default: Entra's, a random 60 to 90 minutes per token
   * (`emulator.settings.accessTokenLifetimeSeconds = undefined` restores it).
   */
  accessTokenLifetimeSeconds?: number;
  /** The device code flow's polling `interval` in seconds (default 5, as Entra). */
  deviceCodeIntervalSeconds?: number;
  /** The admin API under /_emulator; on unless set to false. */
  adminApi?: boolean;
  /** Milliseconds clock, for tests. */
  now?: () => number;
  /**
   * Managed identities behind the App Service identity endpoint (`emulator.managedIdentity`);
   * default one system-assigned identity.
   */
  managedIdentities?: ManagedIdentity[];
  /**
   * Accept a certificate client assertion more than once (default false: each `jti` once).
   * msal-node reuses its signed assertion for 10 minutes per ConfidentialClientApplication
   * instance, which Entra tolerates; a client keeping one instance needs this.
   */
  allowAssertionReplay?: boolean;
}

export type TokenFaultKind =
  | "invalid_grant"
  | "interaction_required"
  | "consent_required"
  | "temporarily_unavailable"
  | "server_error";

export type GrantType =
  | "authorization_code"
  | "refresh_token"
  | "client_credentials"
  | "urn:ietf:params:oauth:grant-type:device_code"
  | "urn:ietf:params:oauth:grant-type:jwt-bearer";

export type Fault =
  | {
      target: "token";
      kind: TokenFaultKind;
      grantType?: GrantType;
      times?: number;
    }
  /** A successful token response (ID token, client_info, access token) for another user. */
  | {
      target: "token";
      kind: "other_user";
      /** UPN or oid; default the next user (of the same tenant when it has another). */
      user?: string;
      grantType?: GrantType;
      times?: number;
    }
  /** The ID token, still properly signed, with claims set or removed; client_info replaced. */
  | {
      target: "token";
      kind: "id_token_claims";
      set?: Record<string, unknown>;
      remove?: string[];
      clientInfo?: { uid: string; utid: string };
      grantType?: GrantType;
      times?: number;
    }
  /** The next code redemption does not spend the code: it can be redeemed again. */
  | { target: "token"; kind: "replayable_code"; times?: number }
  /** The discovery document names this `issuer` instead of the tenant's. */
  | { target: "discovery"; kind: "issuer"; issuer: string; times?: number }
  | {
      target: "token" | "graph" | "keys" | "discovery" | "authorize";
      kind: "delay";
      ms: number;
      times?: number;
    }
  | { target: "graph"; kind: "server_error" | "unauthorized"; times?: number }
  | { target: "graph"; kind: "throttled"; retryAfterSeconds?: number; times?: number }
  | { target: "graph"; kind: "claims_challenge"; claims?: string; times?: number }
  /**
   * The next successful Graph GET answers a body of exactly `bytes` bytes (1 KiB to 1 GiB),
   * streamed: a users page repeating its entries, a user padded with whitespace, or a PNG
   * for `…/$value`. For tests of how a proxy streams large bodies.
   */
  | { target: "graph"; kind: "large_body"; bytes: number; times?: number };

export type FaultTarget = Fault["target"];

/** What one user consented to for one app (besides the tenant-wide admin consent). */
export interface UserConsent {
  clientId: string;
  userOid: string;
  userPrincipalName: string;
  /** Graph scopes in short form (`Mail.Read`), an API's as `<Application ID URI>/<scope>`. */
  scopes: string[];
}

/** What an administrator consented to for one app, for everyone in the tenant. */
export interface TenantConsent {
  clientId: string;
  tenantId: string;
  scopes: string[];
}

/**
 * User consent, for tests. `user` is a UPN or an oid; `clientId` defaults to the first
 * registered client. Invalid arguments throw a TypeError.
 */
export interface EmulatorConsents {
  /** Records consent as if the user had accepted the prompt for these scopes. */
  grant(user: string, scopes: string[], clientId?: string): void;
  /** Removes all of the user's consent for the app (the admin-consented User.Read stays). */
  revoke(user: string, clientId?: string): void;
  list(filter?: { user?: string; clientId?: string }): UserConsent[];
  /** Records admin consent for everyone in `tenant` (its id or domain). */
  grantTenant(tenant: string, scopes: string[], clientId?: string): void;
  revokeTenant(tenant: string, clientId?: string): void;
  listTenant(filter?: { tenant?: string; clientId?: string }): TenantConsent[];
}

export interface Emulator {
  /** https base (back channel). */
  url: string;
  tenantKind: TenantKind;
  /**
   * The issuer of the default tenant's ID tokens: `${url}/<tid>/v2.0` (workforce),
   * `https://<tid>.ciamlogin.com/<tid>/v2.0` (External ID), `${url}/<tid>/v2.0/` (B2C; with
   * `issuerFormat: "tfp"` the sign-up/sign-in policy's).
   */
  issuer: string;
  /** B2C only: the tenant's user flows, as configured. */
  b2cPolicies?: { signUpSignIn: string; profileEdit?: string; passwordReset?: string };
  /** http base (pages the browser visits). */
  browserUrl: string;
  /**
   * ENTRA_AUTHORITY: `${url}/${tenantId}` (workforce and External ID), or
   * `${url}/${tenantDomain}/${signUpSignIn policy}` (B2C).
   */
  authority: string;
  /** `${url}/v1.0`: GRAPH_BASE_URL. */
  graphBaseUrl: string;
  /** PEM of the dev CA: NODE_EXTRA_CA_CERTS. */
  caFile: string;
  tenantId: string;
  users: TestUser[];
  clients: ClientRegistration[];
  apis: ClientRegistration[];
  /** Every tenant, the default one first. */
  tenants: EmulatorTenant[];
  faults: { add(fault: Fault): void; clear(): void };
  settings: EmulatorSettings;
  consents: EmulatorConsents;
  /**
   * The App Service managed identity endpoint, as msal-node's `ManagedIdentityApplication`
   * finds it: set `IDENTITY_ENDPOINT` = `endpoint` and `IDENTITY_HEADER` = `header`.
   */
  managedIdentity: { endpoint: string; header: string; identities: ManagedIdentity[] };
  /**
   * An external OIDC issuer hosted by the emulator (a Kubernetes cluster's service-account
   * issuer, GitHub Actions…): discovery and JWKS under `issuer`, and tokens it signs. Created
   * on first use per `name` (default "default"; `[a-z0-9-]+`).
   */
  federatedIssuer(name?: string): FederatedIssuer;
  close(): Promise<void>;
}

export interface FederatedIssuer {
  /** The `iss` of its tokens; `${issuer}/.well-known/openid-configuration` is its discovery. */
  issuer: string;
  /** A signed token for `subject` (default audience api://AzureADTokenExchange, 1 hour). */
  mint(options: FederatedTokenOptions): Promise<string>;
  /** Signs with a new key from now on and stops publishing the old one. */
  rotateKey(): Promise<void>;
}

export interface FederatedTokenOptions {
  subject: string;
  audience?: string | string[];
  lifetimeSeconds?: number;
  /** Extra or overriding claims (e.g. `{ exp }` in the past, `kubernetes.io`). */
  claims?: Record<string, unknown>;
}

/** Settings a test may change while the emulator runs (also `PATCH /_emulator/settings`). */
export interface EmulatorSettings {
  /** Fixed access token lifetime; undefined = Entra's random 60 to 90 minutes. */
  accessTokenLifetimeSeconds: number | undefined;
  deviceCodeIntervalSeconds: number;
}

/** A tenant as the emulator hosts it. */
export interface EmulatorTenant {
  tenantId: string;
  /** The domain configured for it (`TenantOptions.domain`), if any. */
  domain: string | undefined;
  /** Every domain that names it in URLs: its own, and its users' UPN suffixes. */
  domains: string[];
  displayName: string;
  users: TestUser[];
  /** oids of its administrators. */
  admins: string[];
  usersCanConsent: boolean;
}
