// @azure/msal-node, configured as its docs say for Entra plus `knownAuthorities` (the
// emulator is not a Microsoft cloud instance, so MSAL must not ask instance discovery).
import * as msal from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, signInAs, signInWithDeviceCode, signOut } from "../../src/index.ts";
import { apiScope, deviceApp, interopEmulator, middleTierApi, webApp } from "./registrations.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await interopEmulator();
});
afterAll(() => emulator?.close());

const redirectUri = "http://localhost:3000/callback";

function confidential(id = webApp.clientId, secret = webApp.clientSecret!) {
  return new msal.ConfidentialClientApplication({
    auth: {
      clientId: id,
      clientSecret: secret,
      authority: emulator.authority,
      knownAuthorities: [new URL(emulator.url).host],
    },
  });
}

async function signIn(cca: msal.ConfidentialClientApplication, scopes: string[], user: string) {
  const { verifier, challenge } = await new msal.CryptoProvider().generatePkceCodes();
  const url = await cca.getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state: "s-1",
    nonce: "n-1",
  });
  const answer = await signInAs(url, user);
  const params = Object.fromEntries(new URL(answer.location).searchParams);
  const result = await cca.acquireTokenByCode(
    { code: params.code!, scopes, redirectUri, codeVerifier: verifier, nonce: "n-1", state: "s-1" },
    { code: params.code!, state: params.state, client_info: params.client_info },
  );
  return { result, cookie: answer.cookie };
}

describe("@azure/msal-node", () => {
  it("signs in, renews silently (the refresh token) and signs out by logout_hint", async () => {
    const cca = confidential();
    const { result, cookie } = await signIn(cca, ["User.Read"], "AlexW@contoso.example");
    expect(result.account?.username).toBe("AlexW@contoso.example");
    const renewed = await cca.acquireTokenSilent({
      account: result.account!,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(renewed.fromCache).toBe(false);
    expect(renewed.accessToken).not.toBe(result.accessToken);

    // msal-node has no logout helper for web apps: the end-session URL from discovery.
    const metadata = (await (
      await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`)
    ).json()) as { end_session_endpoint: string };
    const logout = new URL(metadata.end_session_endpoint);
    logout.searchParams.set(
      "logout_hint",
      String((result.idTokenClaims as { login_hint?: string }).login_hint),
    );
    logout.searchParams.set("post_logout_redirect_uri", "http://localhost:3000/");
    expect((await signOut(logout.href, { cookie: cookie! })).redirect).toBe(
      "http://localhost:3000/",
    );
  });

  it("client credentials: acquireTokenByClientCredential for <resource>/.default", async () => {
    const result = await confidential().acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(result?.accessToken).toBeTruthy();
    const me = await fetch(`${emulator.graphBaseUrl}/users/AlexW@contoso.example`, {
      headers: { authorization: `Bearer ${result!.accessToken}` },
    });
    expect(me.status).toBe(200);
  });

  it("device code: PublicClientApplication.acquireTokenByDeviceCode", async () => {
    const pca = new msal.PublicClientApplication({
      auth: {
        clientId: deviceApp.clientId,
        authority: emulator.authority,
        knownAuthorities: [new URL(emulator.url).host],
      },
    });
    let signedIn: Promise<unknown> | undefined;
    const result = await pca.acquireTokenByDeviceCode({
      scopes: ["User.Read"],
      deviceCodeCallback: (response) => {
        signedIn = signInWithDeviceCode(
          response.verificationUri,
          response.userCode,
          "DiegoS@contoso.example",
        );
      },
    });
    await signedIn;
    expect(result?.account?.username).toBe("DiegoS@contoso.example");
  });

  it("on-behalf-of: acquireTokenOnBehalfOf in the middle-tier API", async () => {
    const { result } = await signIn(confidential(), [apiScope], "AdeleV@contoso.example");
    const api = confidential(middleTierApi.clientId, middleTierApi.clientSecret!);
    const graph = await api.acquireTokenOnBehalfOf({
      oboAssertion: result.accessToken,
      scopes: ["User.Read"],
    });
    expect(graph?.account?.username).toBe("AdeleV@contoso.example");
    const me = await fetch(`${emulator.graphBaseUrl}/me`, {
      headers: { authorization: `Bearer ${graph!.accessToken}` },
    });
    expect(me.status).toBe(200);
  });
});
