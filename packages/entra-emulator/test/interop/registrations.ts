/**
 * The app registrations the interop tests use, each set up as its client library's docs
 * say for Microsoft Entra ID: a web app with a secret, one with "ID tokens" enabled
 * (express-openid-connect's default implicit flow), a public client allowing public client
 * flows (device code), and a middle-tier API for on-behalf-of.
 */
import type { AddressInfo } from "node:net";
import {
  type ClientRegistration,
  createEmulator,
  type Emulator,
  type EmulatorOptions,
} from "../../src/index.ts";

export const webApp: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000e0b01",
  clientSecret: "dev-only-interop-web-secret",
  displayName: "Interop web app (dev-only)",
  // Any port: Entra ignores the port of an http://localhost redirect URI.
  redirectUris: ["http://localhost/callback", "http://localhost/auth/callback/microsoft-entra-id"],
  // As the team's manifest registers them: logout without the account picker.
  optionalClaims: { idToken: [{ name: "login_hint" }] },
  // An application permission, admin-consented in its home tenant: client credentials.
  applicationPermissions: ["User.Read.All"],
};

/** "ID tokens (used for implicit and hybrid flows)" checked, as Microsoft's walkthrough does. */
export const implicitApp: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000e0b02",
  clientSecret: "dev-only-interop-implicit-secret",
  displayName: "Interop implicit app (dev-only)",
  redirectUris: ["http://localhost/callback"],
  implicitGrantSettings: { enableIdTokenIssuance: true },
};

/** A CLI or device app: "Allow public client flows", no secret. */
export const deviceApp: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000e0b03",
  displayName: "Interop device app (dev-only)",
  redirectUris: [],
  publicClient: { redirectUris: ["http://localhost"] },
  isFallbackPublicClient: true,
};

/** A web API that calls Graph as the signed-in user (on-behalf-of). */
export const middleTierApi: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000e0b04",
  clientSecret: "dev-only-interop-api-secret",
  displayName: "Interop middle-tier API (dev-only)",
  redirectUris: [],
  applicationIdUri: "api://00000000-0000-0000-0000-0000000e0b04",
  exposedScopes: [{ value: "access_as_user", description: "Access the API as you" }],
  requestedAccessTokenVersion: 2,
};

export const apiScope = `${middleTierApi.applicationIdUri}/access_as_user`;

export function interopEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({
    port: 0,
    clients: [webApp, implicitApp, deviceApp],
    apis: [middleTierApi],
    deviceCodeIntervalSeconds: 1,
    ...options,
  });
}

/** The port a listening server was given. */
export function portOf(server: { address(): AddressInfo | string | null }): number {
  return (server.address() as AddressInfo).port;
}
