// openid-client 6, configured as for Entra (discovery of `<authority>/v2.0`, a client
// secret): it insists on https for every endpoint, so the emulator runs with httpsPages.
import * as client from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, signInAs, signInWithDeviceCode, signOut } from "../../src/index.ts";
import { apiScope, deviceApp, interopEmulator, middleTierApi, webApp } from "./registrations.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await interopEmulator({ httpsPages: true });
});
afterAll(() => emulator?.close());

const redirectUri = "http://localhost:3000/callback";
const issuer = () => new URL(`${emulator.authority}/v2.0`);

function webConfig(id = webApp.clientId, secret = webApp.clientSecret!) {
  return client.discovery(issuer(), id, undefined, client.ClientSecretPost(secret));
}

async function signIn(config: client.Configuration, scope: string, user: string) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const answer = await signInAs(url.href, user);
  const tokens = await client.authorizationCodeGrant(config, new URL(answer.location), {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return { tokens, cookie: answer.cookie };
}

describe("openid-client 6", () => {
  it("signs in (code + PKCE), reads userinfo, refreshes and signs out", async () => {
    const config = await webConfig();
    expect(config.serverMetadata().issuer).toBe(`${emulator.authority}/v2.0`);
    const { tokens, cookie } = await signIn(
      config,
      "openid profile email offline_access User.Read",
      "AlexW@contoso.example",
    );
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      aud: webApp.clientId,
      preferred_username: "AlexW@contoso.example",
      email: "AlexW@contoso.example",
    });

    // Graph hosts userinfo; its `sub` is the ID token's.
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ name: "Alex Wilber", email: "AlexW@contoso.example" });

    const renewed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(renewed.access_token).not.toBe(tokens.access_token);
    expect(renewed.claims()?.sub).toBe(claims.sub);

    const logout = client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: "http://localhost:3000/",
      logout_hint: String(claims.login_hint),
    });
    expect(await signOut(logout.href, { cookie: cookie! })).toMatchObject({
      redirect: "http://localhost:3000/",
    });
  });

  it("client credentials: an app-only Graph token with the app's granted permissions", async () => {
    const config = await webConfig();
    const tokens = await client.clientCredentialsGrant(config, {
      scope: "https://graph.microsoft.com/.default",
    });
    const users = await fetch(`${emulator.graphBaseUrl}/users?$top=2`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(users.status).toBe(200);
    expect(((await users.json()) as { value: unknown[] }).value).toHaveLength(2);
  });

  it("device code: a public client polls while the user signs in elsewhere", async () => {
    const config = await client.discovery(issuer(), deviceApp.clientId, undefined, client.None());
    const device = await client.initiateDeviceAuthorization(config, {
      scope: "openid profile offline_access User.Read",
    });
    expect(device.verification_uri).toBe(`${emulator.browserUrl}/devicelogin`);
    await signInWithDeviceCode(device.verification_uri, device.user_code, "DiegoS@contoso.example");
    const tokens = await client.pollDeviceAuthorizationGrant(config, device);
    expect(tokens.claims()?.preferred_username).toBe("DiegoS@contoso.example");
    expect(tokens.refresh_token).toBeTruthy();
  });

  it("on-behalf-of: the middle-tier API trades the user's token for a Graph token", async () => {
    const config = await webConfig();
    const { tokens } = await signIn(config, `openid profile ${apiScope}`, "AdeleV@contoso.example");
    const api = await webConfig(middleTierApi.clientId, middleTierApi.clientSecret!);
    const graph = await client.genericGrantRequest(
      api,
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
      {
        assertion: tokens.access_token,
        requested_token_use: "on_behalf_of",
        scope: "https://graph.microsoft.com/User.Read",
      },
    );
    const me = await fetch(`${emulator.graphBaseUrl}/me`, {
      headers: { authorization: `Bearer ${graph.access_token}` },
    });
    expect(((await me.json()) as { userPrincipalName: string }).userPrincipalName).toBe(
      "AdeleV@contoso.example",
    );
  });
});
