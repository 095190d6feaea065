// openid-client 5 (still the most installed major), configured as for Entra: Issuer.discover
// of `<authority>/v2.0`, a Client with the app's id, secret and redirect URI. No emulator
// setting needed: it accepts the http sign-in pages.
import { generators, Issuer } from "openid-client-5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, signInAs, signInWithDeviceCode, signOut } from "../../src/index.ts";
import { deviceApp, interopEmulator, webApp } from "./registrations.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await interopEmulator();
});
afterAll(() => emulator?.close());

const redirectUri = "http://localhost:3000/callback";

describe("openid-client 5", () => {
  it("signs in (code + PKCE), reads userinfo, refreshes and signs out", async () => {
    const issuer = await Issuer.discover(`${emulator.authority}/v2.0`);
    const web = new issuer.Client({
      client_id: webApp.clientId,
      client_secret: webApp.clientSecret!,
      redirect_uris: [redirectUri],
      response_types: ["code"],
    });
    const codeVerifier = generators.codeVerifier();
    const state = generators.state();
    const nonce = generators.nonce();
    const url = web.authorizationUrl({
      scope: "openid profile email offline_access User.Read",
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    expect(url.startsWith(`${emulator.browserUrl}/`)).toBe(true);
    const answer = await signInAs(url, "AlexW@contoso.example");
    const params = web.callbackParams(answer.location);
    const tokens = await web.callback(redirectUri, params, {
      code_verifier: codeVerifier,
      state,
      nonce,
    });
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      aud: webApp.clientId,
      preferred_username: "AlexW@contoso.example",
    });
    expect(await web.userinfo(tokens.access_token!)).toMatchObject({
      sub: claims.sub,
      email: "AlexW@contoso.example",
    });

    const renewed = await web.refresh(tokens.refresh_token!);
    expect(renewed.claims().sub).toBe(claims.sub);

    const logout = web.endSessionUrl({
      post_logout_redirect_uri: "http://localhost:3000/",
      logout_hint: String(claims.login_hint),
    });
    expect((await signOut(logout, { cookie: answer.cookie! })).redirect).toBe(
      "http://localhost:3000/",
    );
  });

  it("client credentials: client.grant with <resource>/.default", async () => {
    const issuer = await Issuer.discover(`${emulator.authority}/v2.0`);
    const web = new issuer.Client({
      client_id: webApp.clientId,
      client_secret: webApp.clientSecret!,
    });
    const tokens = await web.grant({
      grant_type: "client_credentials",
      scope: "https://graph.microsoft.com/.default",
    });
    expect(tokens.token_type).toBe("Bearer");
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.expires_in).toBeGreaterThan(0);
  });

  it("device code: deviceAuthorization, then the handle polls", async () => {
    const issuer = await Issuer.discover(`${emulator.authority}/v2.0`);
    const device = new issuer.Client({
      client_id: deviceApp.clientId,
      token_endpoint_auth_method: "none",
    });
    const handle = await device.deviceAuthorization({ scope: "openid profile User.Read" });
    await signInWithDeviceCode(handle.verification_uri, handle.user_code, "DiegoS@contoso.example");
    const tokens = await handle.poll();
    expect(tokens.claims().preferred_username).toBe("DiegoS@contoso.example");
  });
});
