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
}

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  frontchannelLogoutUri?: string;
}

export interface EmulatorOptions {
  /** 0 = a random free port (the default here; the CLI defaults to 8443). */
  port?: number;
  /** Bind address, default 127.0.0.1. */
  host?: string;
  /** https base the BFF uses (issuer, token, keys, Graph); default https://localhost:<port>. */
  backchannelUrl?: string;
  /** http base the browser uses (authorize, logout pages); default http://localhost:<port>. */
  browserUrl?: string;
  tenantId?: string;
  users?: TestUser[];
  clients?: ClientRegistration[];
  /** Extra certificate host names besides localhost, 127.0.0.1 and ::1. */
  hostnames?: string[];
  certDir?: string;
  accessTokenLifetimeSeconds?: number;
  /** The admin API under /_emulator; on unless set to false. */
  adminApi?: boolean;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

export type TokenFaultKind =
  | "invalid_grant"
  | "interaction_required"
  | "consent_required"
  | "temporarily_unavailable"
  | "server_error";

export type Fault =
  | {
      target: "token";
      kind: TokenFaultKind;
      grantType?: "authorization_code" | "refresh_token";
      times?: number;
    }
  | {
      target: "token" | "graph" | "keys" | "discovery" | "authorize";
      kind: "delay";
      ms: number;
      times?: number;
    }
  | { target: "graph"; kind: "server_error" | "unauthorized"; times?: number }
  | { target: "graph"; kind: "throttled"; retryAfterSeconds?: number; times?: number }
  | { target: "graph"; kind: "claims_challenge"; claims?: string; times?: number };

export type FaultTarget = Fault["target"];

/** What one user consented to for one app (besides the tenant-wide admin consent). */
export interface UserConsent {
  clientId: string;
  userOid: string;
  userPrincipalName: string;
  /** Short-form Graph scopes, e.g. ["Mail.Read"]. */
  scopes: string[];
}

/**
 * User consent, for tests. `user` is a UPN or an oid; `clientId` defaults to the first
 * registered client. Invalid arguments throw a TypeError.
 */
export interface EmulatorConsents {
  /** Records consent as if the user had accepted the prompt for these Graph scopes. */
  grant(user: string, scopes: string[], clientId?: string): void;
  /** Removes all of the user's consent for the app (the admin-consented User.Read stays). */
  revoke(user: string, clientId?: string): void;
  list(filter?: { user?: string; clientId?: string }): UserConsent[];
}

export interface Emulator {
  /** https base (back channel). */
  url: string;
  /** http base (pages the browser visits). */
  browserUrl: string;
  /** `${url}/${tenantId}`: ENTRA_AUTHORITY. */
  authority: string;
  /** `${url}/v1.0`: GRAPH_BASE_URL. */
  graphBaseUrl: string;
  /** PEM of the dev CA: NODE_EXTRA_CA_CERTS. */
  caFile: string;
  tenantId: string;
  users: TestUser[];
  clients: ClientRegistration[];
  faults: { add(fault: Fault): void; clear(): void };
  settings: { accessTokenLifetimeSeconds: number };
  consents: EmulatorConsents;
  close(): Promise<void>;
}
