// oauth4webapi, the low-level library under openid-client 6 and Auth.js, used as its README
// shows: discovery, then each step by hand. It only ever requests the back channel (https),
// so the emulator's default http pages are fine.
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, signInAs, signInWithDeviceCode } from "../../src/index.ts";
import { apiScope, deviceApp, interopEmulator, middleTierApi, webApp } from "./registrations.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await interopEmulator();
});
afterAll(() => emulator?.close());

const redirectUri = "http://localhost:3000/callback";

async function authorizationServer() {
  const issuer = new URL(`${emulator.authority}/v2.0`);
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc" });
  return oauth.processDiscoveryResponse(issuer, response);
}

async function signIn(as: oauth.AuthorizationServer, scope: string, user: string) {
  const client: oauth.Client = { client_id: webApp.clientId };
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: "code",
    scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  }).toString();
  const { location } = await signInAs(url.href, user);
  const params = oauth.validateAuthResponse(as, client, new URL(location), state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.ClientSecretPost(webApp.clientSecret!),
    params,
    redirectUri,
    codeVerifier,
  );
  return oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: nonce,
    requireIdToken: true,
  });
}

describe("oauth4webapi", () => {
  it("signs in (code + PKCE), reads userinfo and refreshes", async () => {
    const as = await authorizationServer();
    const client: oauth.Client = { client_id: webApp.clientId };
    const result = await signIn(as, "openid profile email offline_access", "AlexW@contoso.example");
    const claims = oauth.getValidatedIdTokenClaims(result)!;
    expect(claims.preferred_username).toBe("AlexW@contoso.example");

    const info = await oauth.processUserInfoResponse(
      as,
      client,
      claims.sub,
      await oauth.userInfoRequest(as, client, result.access_token),
    );
    expect(info).toMatchObject({ sub: claims.sub, email: "AlexW@contoso.example" });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(webApp.clientSecret!),
        result.refresh_token!,
      ),
    );
    expect(oauth.getValidatedIdTokenClaims(refreshed)?.sub).toBe(claims.sub);
  });

  it("client credentials", async () => {
    const as = await authorizationServer();
    const client: oauth.Client = { client_id: webApp.clientId };
    const result = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic(webApp.clientSecret!),
        new URLSearchParams({ scope: "https://graph.microsoft.com/.default" }),
      ),
    );
    expect(result.token_type).toBe("bearer");
    expect(result.refresh_token).toBeUndefined();
  });

  it("device code: authorization_pending until the user has signed in", async () => {
    const as = await authorizationServer();
    const client: oauth.Client = { client_id: deviceApp.clientId };
    const device = await oauth.processDeviceAuthorizationResponse(
      as,
      client,
      await oauth.deviceAuthorizationRequest(
        as,
        client,
        oauth.None(),
        new URLSearchParams({ scope: "openid profile User.Read" }),
      ),
    );
    const poll = async () =>
      oauth.processDeviceCodeResponse(
        as,
        client,
        await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code),
      );
    await expect(poll()).rejects.toMatchObject({ error: "authorization_pending" });
    await signInWithDeviceCode(device.verification_uri, device.user_code, "DiegoS@contoso.example");
    const tokens = await poll();
    expect(oauth.getValidatedIdTokenClaims(tokens)?.preferred_username).toBe(
      "DiegoS@contoso.example",
    );
    // A device code is used once.
    await expect(poll()).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("on-behalf-of with genericTokenEndpointRequest", async () => {
    const as = await authorizationServer();
    const user = await signIn(as, `openid ${apiScope}`, "AdeleV@contoso.example");
    const api: oauth.Client = { client_id: middleTierApi.clientId };
    const result = await oauth.processGenericTokenEndpointResponse(
      as,
      api,
      await oauth.genericTokenEndpointRequest(
        as,
        api,
        oauth.ClientSecretPost(middleTierApi.clientSecret!),
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        new URLSearchParams({
          assertion: user.access_token,
          requested_token_use: "on_behalf_of",
          scope: "User.Read",
        }),
      ),
    );
    expect(result.scope).toContain("User.Read");
  });
});
