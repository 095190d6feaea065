import * as client from "openid-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, signInAs } from "../src/index.ts";
import { freePort, redirectUri } from "./helpers.ts";

/** openid-client (a certified relying-party library) validates what MSAL does not. */
describe("openid-client against the emulator", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    // openid-client insists on https for every endpoint, the authorization endpoint too.
    // The emulator's port speaks both, so its pages are advertised over https here rather
    // than loosening the client with allowInsecureRequests.
    const port = await freePort();
    emulator = await createEmulator({ port, browserUrl: `https://localhost:${port}` });
  });
  afterEach(() => emulator.close());

  async function codeFlow(config: client.Configuration) {
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: "openid profile offline_access User.Read",
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    const { location } = await signInAs(url.href, "AlexW@contoso.example");
    return client.authorizationCodeGrant(config, new URL(location), {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
  }

  it("discovers the tenant, runs the code flow with PKCE and validates the ID token", async () => {
    const { clientId, clientSecret } = emulator.clients[0]!;
    const config = await client.discovery(
      new URL(`${emulator.authority}/v2.0`),
      clientId,
      undefined,
      client.ClientSecretBasic(clientSecret),
    );
    expect(config.serverMetadata().issuer).toBe(`${emulator.authority}/v2.0`);
    expect(config.serverMetadata().supportsPKCE()).toBe(true);

    const tokens = await codeFlow(config);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: `${emulator.authority}/v2.0`,
      aud: clientId,
      tid: emulator.tenantId,
      oid: emulator.users[1]!.oid,
      preferred_username: "AlexW@contoso.example",
      name: "Alex Wilber",
      ver: "2.0",
    });
    expect(tokens.scope).toBe("openid profile User.Read email");
    expect(tokens.token_type).toBe("bearer"); // openid-client lower-cases it

    // The refresh grant (client_secret_basic) returns a new, again validated, ID token.
    const renewed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(renewed.access_token).not.toBe(tokens.access_token);
    expect(renewed.claims()?.sub).toBe(claims.sub);

    const endSession = client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: "http://localhost:3000/",
    });
    expect(
      endSession.href.startsWith(
        `https://localhost:${new URL(emulator.url).port}/${emulator.tenantId}/oauth2/v2.0/logout?`,
      ),
    ).toBe(true);
  });

  it("the common endpoint: template issuer in discovery, the real tenant in the token", async () => {
    const { clientId, clientSecret } = emulator.clients[0]!;
    const response = await fetch(`${emulator.url}/common/v2.0/.well-known/openid-configuration`);
    const metadata = (await response.json()) as client.ServerMetadata;
    expect(metadata.issuer).toBe(`${emulator.url}/{tenantid}/v2.0`);
    expect(metadata.token_endpoint).toBe(`${emulator.url}/common/oauth2/v2.0/token`);

    // openid-client resolves Entra's template only for login.microsoftonline.com; a
    // multi-tenant app validates against the tenant it expects, which is what this does.
    const config = new client.Configuration(
      { ...metadata, issuer: `${emulator.authority}/v2.0` },
      clientId,
      clientSecret,
    );
    const tokens = await codeFlow(config);
    expect(tokens.claims()?.iss).toBe(`${emulator.authority}/v2.0`);
    expect(tokens.claims()?.tid).toBe(emulator.tenantId);
  });
});
