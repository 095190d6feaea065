// The App Service identity endpoint, through msal-node's ManagedIdentityApplication, and a
// managed identity's token as an app's federated credential.
import * as msal from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientRegistration,
  createEmulator,
  type Emulator,
  type ManagedIdentity,
  signInAs,
  tokenExchangeAppId,
  tokenExchangeAudience,
} from "../src/index.ts";
import { beginSignIn, callbackParams, redirectUri } from "./helpers.ts";

const system: ManagedIdentity = {
  clientId: "00000000-0000-0000-0000-00000000a5a1",
  principalId: "00000000-0000-0000-0000-00000000a5a2",
  systemAssigned: true,
};
const userAssigned: ManagedIdentity = {
  clientId: "00000000-0000-0000-0000-00000000ua01",
  principalId: "00000000-0000-0000-0000-00000000ua02",
};
const app: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000a5c01",
  redirectUris: [redirectUri],
};
let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    clients: [app],
    managedIdentities: [system, userAssigned],
  });
  // msal-node finds the App Service source by these variables, once per process.
  process.env.IDENTITY_ENDPOINT = emulator.managedIdentity.endpoint;
  process.env.IDENTITY_HEADER = emulator.managedIdentity.header;
  app.federatedCredentials = [
    { issuer: `${emulator.url}/${emulator.tenantId}/v2.0`, subject: userAssigned.principalId },
  ];
});
afterAll(async () => {
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
  await emulator?.close();
});

describe("the managed identity endpoint", () => {
  it("issues a token exchange token for the system-assigned identity", async () => {
    const mi = new msal.ManagedIdentityApplication();
    expect(mi.getManagedIdentitySource()).toBe("AppService");
    const result = await mi.acquireToken({ resource: tokenExchangeAudience });
    expect(decodeJwt(result.accessToken)).toMatchObject({
      aud: tokenExchangeAppId,
      iss: `${emulator.url}/${emulator.tenantId}/v2.0`,
      sub: system.principalId,
      oid: system.principalId,
      azp: system.clientId,
      idtyp: "app",
      tid: emulator.tenantId,
      ver: "2.0",
    });
    expect(result.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });

  it("issues the user-assigned identity's token when its client id is named", async () => {
    const mi = new msal.ManagedIdentityApplication({
      managedIdentityIdParams: { userAssignedClientId: userAssigned.clientId },
    });
    const result = await mi.acquireToken({ resource: `${tokenExchangeAudience}/.default` });
    expect(decodeJwt(result.accessToken)).toMatchObject({
      sub: userAssigned.principalId,
      azp: userAssigned.clientId,
    });
    expect(decodeJwt(result.accessToken).xms_mirid).toMatch(/userAssignedIdentities/);
  });

  it("requires the identity header, the api version, a known identity and resource", async () => {
    const call = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${emulator.managedIdentity.endpoint}?${query}`, {
        headers: { "x-identity-header": emulator.managedIdentity.header, ...headers },
      });
    const good = `api-version=2019-08-01&resource=${encodeURIComponent(tokenExchangeAudience)}`;
    expect((await call(good)).status).toBe(200);
    const noHeader = await fetch(`${emulator.managedIdentity.endpoint}?${good}`);
    expect(noHeader.status).toBe(401);
    expect((await call(good, { "x-identity-header": "dev-only-wrong" })).status).toBe(401);
    expect((await call(`api-version=2017-09-01&resource=${tokenExchangeAudience}`)).status).toBe(
      400,
    );
    const graph = await call("api-version=2019-08-01&resource=https://graph.microsoft.com");
    expect(graph.status).toBe(400);
    expect(((await graph.json()) as { message: string }).message).toMatch(/^AADSTS500011/);
    expect((await call(`${good}&client_id=00000000-0000-0000-0000-000000000bad`)).status).toBe(400);
  });

  it("lets an app registration trust the identity as a federated credential", async () => {
    const mi = new msal.ManagedIdentityApplication({
      managedIdentityIdParams: { userAssignedClientId: userAssigned.clientId },
    });
    const cca = new msal.ConfidentialClientApplication({
      auth: {
        clientId: app.clientId,
        authority: emulator.authority,
        knownAuthorities: [new URL(emulator.url).host],
        clientAssertion: async () =>
          (await mi.acquireToken({ resource: tokenExchangeAudience })).accessToken,
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

    // The system-assigned identity is not the one the registration trusts.
    const other = new msal.ConfidentialClientApplication({
      auth: {
        clientId: app.clientId,
        authority: emulator.authority,
        knownAuthorities: [new URL(emulator.url).host],
        clientAssertion: async () =>
          (
            await new msal.ManagedIdentityApplication().acquireToken({
              resource: tokenExchangeAudience,
            })
          ).accessToken,
      },
    });
    other.getTokenCache().deserialize(cca.getTokenCache().serialize());
    await expect(
      other.acquireTokenSilent({
        account: result.account!,
        scopes: ["User.Read"],
        forceRefresh: true,
      }),
    ).rejects.toMatchObject({ errorCode: "invalid_client", errorNo: 700213 });
  });
});
