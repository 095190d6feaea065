/** Default tenant, users and dev app registration (dev-only values, no real secrets). */
import type { ClientRegistration, TestUser } from "./types.ts";

export const defaultTenantId = "aaaabbbb-0000-cccc-1111-dddd2222eeee";

/** Microsoft Graph's application id: the `aud` of every Graph access token. */
export const graphResourceId = "00000003-0000-0000-c000-000000000000";

export const defaultUsers: TestUser[] = [
  {
    oid: "00000000-0000-0000-66f3-3332eca7ea81",
    displayName: "Adele Vance",
    givenName: "Adele",
    surname: "Vance",
    userPrincipalName: "AdeleV@contoso.example",
    mail: "AdeleV@contoso.example",
    jobTitle: "Retail Manager",
    officeLocation: "18/2111",
    businessPhones: ["+1 425 555 0109"],
    mobilePhone: null,
    preferredLanguage: "en-US",
  },
  {
    oid: "00000000-0000-0000-a3f9-6e4f0d0c7f12",
    displayName: "Alex Wilber",
    givenName: "Alex",
    surname: "Wilber",
    userPrincipalName: "AlexW@contoso.example",
    mail: "AlexW@contoso.example",
    jobTitle: "Marketing Assistant",
    officeLocation: "131/1104",
    businessPhones: ["+1 858 555 0110"],
    mobilePhone: null,
    preferredLanguage: "en-US",
  },
];

export const defaultClient: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000b0ff1",
  clientSecret: "dev-only-emulator-secret",
  redirectUris: ["http://localhost:5173/auth/callback", "http://localhost:3000/auth/callback"],
};
