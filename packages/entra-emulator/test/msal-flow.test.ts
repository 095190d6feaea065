import * as msal from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, signInAs } from "../src/index.ts";
import {
  beginSignIn,
  callbackParams,
  type GraphError,
  msalClient,
  redirectUri,
} from "./helpers.ts";

describe("@azure/msal-node against the emulator", () => {
  let emulator: Emulator;
  let now: number;

  beforeEach(async () => {
    now = Date.now();
    emulator = await createEmulator({ port: 0, now: () => now });
  });
  afterEach(() => emulator.close());

  it("signs in with PKCE, renews an expired access token silently, and reads Graph /me", async () => {
    const cca = msalClient(emulator);
    const signIn = await beginSignIn(cca);
    expect(
      signIn.url.startsWith(`${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/authorize?`),
    ).toBe(true);

    const { location } = await signInAs(signIn.url, "AdeleV@contoso.example");
    const params = callbackParams(location);
    expect(location.startsWith(`${redirectUri}?`)).toBe(true);
    expect(params.state).toBe(signIn.state);
    expect(params.session_state).toBeTruthy();

    // Below MSAL's 300 s renewal offset, MSAL counts the token as expired when it reads it.
    emulator.settings.accessTokenLifetimeSeconds = 60;
    const first = await cca.acquireTokenByCode(
      {
        code: params.code!,
        scopes: signIn.scopes,
        redirectUri,
        codeVerifier: signIn.verifier,
        state: signIn.state,
        nonce: signIn.nonce,
      },
      { code: params.code!, state: params.state, client_info: params.client_info },
    );
    expect(first.account?.username).toBe("AdeleV@contoso.example");
    expect(first.account?.homeAccountId).toBe(`${emulator.users[0]!.oid}.${emulator.tenantId}`);
    expect(first.account?.tenantId).toBe(emulator.tenantId);
    expect(first.idTokenClaims).toMatchObject({ nonce: signIn.nonce, ver: "2.0" });
    expect(first.scopes).toEqual(expect.arrayContaining(["User.Read", "openid", "profile"]));

    expect(first.expiresOn!.getTime() - Date.now()).toBeLessThanOrEqual(61_000);

    // Past exp plus Graph's 5 min clock skew, by the emulator's clock, Graph refuses it.
    now += 6 * 60_000 + 1000;
    const expired = await fetch(`${emulator.graphBaseUrl}/me`, {
      headers: { authorization: `Bearer ${first.accessToken}` },
    });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as GraphError).error.code).toBe("InvalidAuthenticationToken");

    const renewed = await cca.acquireTokenSilent({
      account: first.account!,
      scopes: ["User.Read"],
    });
    expect(renewed.fromCache).toBe(false);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(decodeJwt(renewed.accessToken).iat).toBe(Math.floor(now / 1000));
    expect(renewed.account?.homeAccountId).toBe(first.account?.homeAccountId);
    expect(renewed.idTokenClaims).not.toHaveProperty("nonce");

    const me = await fetch(`${emulator.graphBaseUrl}/me`, {
      headers: { authorization: `Bearer ${renewed.accessToken}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
      businessPhones: ["+1 425 555 0109"],
      displayName: "Adele Vance",
      givenName: "Adele",
      jobTitle: "Retail Manager",
      mail: "AdeleV@contoso.example",
      mobilePhone: null,
      officeLocation: "18/2111",
      preferredLanguage: "en-US",
      surname: "Vance",
      userPrincipalName: "AdeleV@contoso.example",
      id: emulator.users[0]!.oid,
    });
  });

  it("works with authorityMetadata, fetching no discovery document", async () => {
    const client = emulator.clients[0]!;
    const metadata = await (
      await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`)
    ).text();
    emulator.faults.add({ target: "discovery", kind: "delay", ms: 60_000 });
    const cca = new msal.ConfidentialClientApplication({
      auth: {
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        authority: emulator.authority,
        knownAuthorities: [new URL(emulator.url).host],
        authorityMetadata: metadata,
      },
    });
    const signIn = await beginSignIn(cca);
    const params = callbackParams((await signInAs(signIn.url, 0)).location);
    const result = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: signIn.scopes,
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    expect(result.account?.username).toBe("AdeleV@contoso.example");
  });
});
