import { decodeJwt } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ClientRegistration,
  createEmulator,
  defaultClient,
  type Emulator,
  signInAs,
  tasksApiClientId,
} from "../src/index.ts";
import {
  authorizeUrl,
  beginSignIn,
  callbackParams,
  msalClient,
  pkce,
  redirectUri,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
afterEach(() => emulator.close());

async function signInAndRedeem(user: string, scope = "User.Read openid profile offline_access") {
  const { location } = await signInAs(authorizeUrl(emulator, { scope }), user);
  const client = emulator.clients[0]!;
  const response = await tokenRequest(emulator, {
    grant_type: "authorization_code",
    code: new URL(location).searchParams.get("code")!,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    scope,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponse;
}

describe("app roles in ID tokens: the signing-in app's own roles", () => {
  it("the dev registration gives Adele Tasks.Admin; Alex has none", async () => {
    emulator = await createEmulator({ port: 0 });
    const adele = await signInAndRedeem("AdeleV@contoso.example");
    expect(decodeJwt(adele.id_token!).roles).toEqual(["Tasks.Admin"]);
    // Graph tokens carry no app roles of the client (they are Graph's audience).
    expect(decodeJwt(adele.access_token)).not.toHaveProperty("roles");
    const alex = await signInAndRedeem("AlexW@contoso.example");
    expect(decodeJwt(alex.id_token!)).not.toHaveProperty("roles");
  });

  it("assignments by UPN (any case) or oid; only defined roles that allow users", async () => {
    const app: ClientRegistration = {
      ...defaultClient,
      appRoles: [
        { value: "Reader", description: "Reads" },
        { value: "Writer", allowedMemberTypes: ["User", "Application"] },
        { value: "Daemon", allowedMemberTypes: ["Application"] },
      ],
      roleAssignments: {
        "adelev@CONTOSO.example": ["Writer", "Daemon", "Ghost"],
        "00000000-0000-0000-66f3-3332eca7ea81": ["Reader", "Writer"],
      },
    };
    emulator = await createEmulator({ port: 0, clients: [app] });
    const tokens = await signInAndRedeem("AdeleV@contoso.example");
    // In definition order, each once; an undefined or application-only role is never a user's.
    expect(decodeJwt(tokens.id_token!).roles).toEqual(["Reader", "Writer"]);
  });

  it("msal-node hands the roles to the app in idTokenClaims, also after a refresh", async () => {
    emulator = await createEmulator({ port: 0 });
    const cca = msalClient(emulator);
    const signIn = await beginSignIn(cca);
    const params = callbackParams((await signInAs(signIn.url, "AdeleV@contoso.example")).location);
    const result = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: signIn.scopes,
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    expect(result.idTokenClaims).toMatchObject({ roles: ["Tasks.Admin"] });
    const renewed = await cca.acquireTokenSilent({
      account: result.account!,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(renewed.idTokenClaims).toMatchObject({ roles: ["Tasks.Admin"] });
  });
});

describe("app roles in API access tokens: the API's roles", () => {
  it("the Tasks API's roles, not the client's, and roles that change take effect on renewal", async () => {
    emulator = await createEmulator({ port: 0 });
    const scope = `api://${tasksApiClientId}/Tasks.ReadWrite openid offline_access`;
    const tokens = await signInAndRedeem("AdeleV@contoso.example", scope);
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: tasksApiClientId,
      roles: ["Tasks.Admin"],
    });

    // Unassign her (the registration is live): the next token has no roles claim.
    const api = emulator.apis[0]!;
    api.roleAssignments = {};
    const client = emulator.clients[0]!;
    const renewed = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      scope,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    expect(decodeJwt(((await renewed.json()) as TokenResponse).access_token)).not.toHaveProperty(
      "roles",
    );
  });
});
