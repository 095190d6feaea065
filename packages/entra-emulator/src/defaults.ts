/** Default tenant, users and dev app registration (dev-only values, no real secrets). */
import type { ClientRegistration, TenantOptions } from "./types.ts";

export const defaultTenantId = "aaaabbbb-0000-cccc-1111-dddd2222eeee";

/** The default tenant's initial domain: `/contoso.onmicrosoft.com/…` names it in URLs. */
export const defaultTenantDomain = "contoso.onmicrosoft.com";

/** Microsoft Graph's application id: the `aud` of every Graph access token. */
export const graphResourceId = "00000003-0000-0000-c000-000000000000";

/** The default tenant's people (sign-in users and Graph's directory): see directory.ts. */
export { defaultUsers } from "./directory.ts";

/** The Tasks API's application (client) id: the `aud` of its access tokens. */
export const tasksApiClientId = "00000000-0000-0000-0000-00000007a5c5";

/**
 * The Tasks API's registration (an API, not a client: no redirect URIs): Application ID URI
 * `api://<client id>`, the delegated scope `Tasks.ReadWrite`, the app role `Tasks.Admin`.
 */
export function tasksApiRegistration(clientId = tasksApiClientId): ClientRegistration {
  return {
    clientId,
    redirectUris: [],
    displayName: "Tasks API (dev-only)",
    applicationIdUri: `api://${clientId}`,
    exposedScopes: [{ value: "Tasks.ReadWrite", description: "Read and write your tasks" }],
    appRoles: [
      {
        value: "Tasks.Admin",
        description: "Administer every user's tasks",
        allowedMemberTypes: ["User"],
      },
    ],
    roleAssignments: { "AdeleV@contoso.example": ["Tasks.Admin"] },
    signInAudience: "AzureADMultipleOrgs",
    // The Tasks API validates v2.0 tokens (aud = its client id, the v2.0 issuer).
    requestedAccessTokenVersion: 2,
  };
}

export const defaultTasksApi: ClientRegistration = tasksApiRegistration();

/**
 * The BFF's dev registration. Multi-tenant like the registration this project is modelled
 * on (an `organizations` authority); with no second tenant configured that changes nothing.
 */
export const defaultClient: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000b0ff1",
  clientSecret: "dev-only-emulator-secret",
  redirectUris: [
    "http://localhost:5173/auth/callback",
    "http://localhost:3000/auth/callback",
    // Where admin consent answers (the BFF's /auth/admin-consent/callback).
    "http://localhost:5173/auth/admin-consent/callback",
    "http://localhost:3000/auth/admin-consent/callback",
  ],
  displayName: "entra-bff dev-only",
  appRoles: [
    {
      value: "Tasks.Admin",
      description: "Administer every user's tasks",
      allowedMemberTypes: ["User"],
    },
  ],
  roleAssignments: { "AdeleV@contoso.example": ["Tasks.Admin"] },
  signInAudience: "AzureADMultipleOrgs",
  apiPermissions: defaultApiPermissions(defaultTasksApi),
  // What the BFF registers (`pnpm entra:manifest`): logout without Entra's account picker
  // (`logout_hint`) and front-channel logout by session (`sid`).
  optionalClaims: { idToken: [{ name: "login_hint" }, { name: "sid" }] },
};

/** The BFF's configured permissions: Graph for /me and People, the Tasks API's scope. */
export function defaultApiPermissions(tasksApi: ClientRegistration): string[] {
  const resource = tasksApi.applicationIdUri ?? tasksApi.clientId;
  return ["User.Read", "User.ReadBasic.All", `${resource}/Tasks.ReadWrite`];
}

/** The default tenant's administrator (she can grant admin consent). */
export const defaultAdmins: string[] = ["AdeleV@contoso.example"];

/**
 * A second tenant for multi-tenant tests: `createEmulator({ tenants: [fabrikamTenant] })`.
 * Its users may not consent to apps themselves, so an admin (Megan) must consent first.
 */
export const fabrikamTenant: TenantOptions = {
  tenantId: "bbbbcccc-1111-dddd-2222-eeee3333ffff",
  domain: "fabrikam.example",
  displayName: "Fabrikam (dev-only)",
  admins: ["MeganB@fabrikam.example"],
  usersCanConsent: false,
  users: [
    {
      oid: "00000000-0000-0000-f4b1-1c0ffee0b001",
      displayName: "Megan Bowen",
      givenName: "Megan",
      surname: "Bowen",
      userPrincipalName: "MeganB@fabrikam.example",
      mail: "MeganB@fabrikam.example",
      jobTitle: "IT Administrator",
      officeLocation: "12/1110",
      businessPhones: ["+1 412 555 0109"],
      mobilePhone: null,
      preferredLanguage: "en-US",
    },
    {
      oid: "00000000-0000-0000-f4b1-1c0ffee0b002",
      displayName: "Lee Gu",
      givenName: "Lee",
      surname: "Gu",
      userPrincipalName: "LeeG@fabrikam.example",
      mail: "LeeG@fabrikam.example",
      jobTitle: "Director",
      officeLocation: "23/3101",
      businessPhones: ["+1 913 555 0101"],
      mobilePhone: null,
      preferredLanguage: "en-US",
    },
  ],
};
