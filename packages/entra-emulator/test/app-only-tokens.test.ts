// The client credentials grant: app-only tokens for `<resource>/.default`, whose `roles` are
// the application permissions granted to the app (its home tenant, or an admin's consent).
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientRegistration,
  createEmulator,
  type Emulator,
  fabrikamTenant,
  signInAs,
} from "../src/index.ts";
import { type EntraError, redirectUri, type TokenResponse, tokenRequest } from "./helpers.ts";

const reports: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000c0a01",
  displayName: "Reports API (dev-only)",
  redirectUris: [],
  applicationIdUri: "api://reports",
  appRoles: [
    { value: "Reports.Read.All", allowedMemberTypes: ["Application"] },
    { value: "Reports.Admin", allowedMemberTypes: ["User"] },
  ],
  signInAudience: "AzureADMultipleOrgs",
  requestedAccessTokenVersion: 2,
};
const daemon: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000c0a02",
  clientSecret: "dev-only-daemon-secret",
  displayName: "Daemon (dev-only)",
  redirectUris: [redirectUri],
  signInAudience: "AzureADMultipleOrgs",
  applicationPermissions: ["User.Read.All", "api://reports/Reports.Read.All"],
};

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    clients: [daemon],
    apis: [reports],
    tenants: [fabrikamTenant],
  });
});
afterAll(() => emulator?.close());

function appToken(
  scope: string | undefined,
  tenant = emulator.tenantId,
  secret = daemon.clientSecret,
) {
  return tokenRequest(
    emulator,
    { grant_type: "client_credentials", scope, client_id: daemon.clientId, client_secret: secret },
    { tenant },
  );
}

async function entraError(response: Response) {
  return { status: response.status, ...((await response.json()) as EntraError) };
}

describe("client_credentials", () => {
  it("a Graph app-only token: roles = the granted application permissions, idtyp app", async () => {
    const response = await appToken("https://graph.microsoft.com/.default");
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenResponse;
    expect(Object.keys(body)).toEqual([
      "token_type",
      "expires_in",
      "ext_expires_in",
      "access_token",
    ]);
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      aud: "00000003-0000-0000-c000-000000000000",
      iss: `https://sts.windows.net/${emulator.tenantId}/`,
      appid: daemon.clientId,
      idtyp: "app",
      roles: ["User.Read.All"],
      tid: emulator.tenantId,
      ver: "1.0",
    });
    expect(claims.sub).toBe(claims.oid);
    expect(claims).not.toHaveProperty("scp");
    const users = await fetch(`${emulator.graphBaseUrl}/users/AlexW@contoso.example`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(users.status).toBe(200);
    const me = await fetch(`${emulator.graphBaseUrl}/me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.status).toBe(400);
  });

  it("an API's app-only token carries only its roles that allow applications", async () => {
    const body = (await (await appToken("api://reports/.default")).json()) as TokenResponse;
    expect(decodeJwt(body.access_token)).toMatchObject({
      aud: reports.clientId,
      iss: `${emulator.authority}/v2.0`,
      azp: daemon.clientId,
      azpacr: "1",
      idtyp: "app",
      roles: ["Reports.Read.All"],
      ver: "2.0",
    });
  });

  it("another tenant: no roles until its admin consents, then the granted ones", async () => {
    const before = (await (
      await appToken("https://graph.microsoft.com/.default", fabrikamTenant.tenantId)
    ).json()) as TokenResponse;
    expect(decodeJwt(before.access_token)).not.toHaveProperty("roles");
    const consent = new URL(`${emulator.browserUrl}/${fabrikamTenant.tenantId}/v2.0/adminconsent`);
    consent.search = new URLSearchParams({
      client_id: daemon.clientId,
      redirect_uri: redirectUri,
      scope: "https://graph.microsoft.com/.default",
    }).toString();
    await signInAs(consent.href, "MeganB@fabrikam.example");
    const after = (await (
      await appToken("https://graph.microsoft.com/.default", fabrikamTenant.tenantId)
    ).json()) as TokenResponse;
    expect(decodeJwt(after.access_token)).toMatchObject({
      tid: fabrikamTenant.tenantId,
      roles: ["User.Read.All"],
    });
  });

  it("refuses what Entra refuses", async () => {
    expect(
      await entraError(await appToken("https://graph.microsoft.com/User.Read.All")),
    ).toMatchObject({ status: 400, error: "invalid_scope", error_codes: [1002012] });
    expect(await entraError(await appToken(undefined))).toMatchObject({ error_codes: [900144] });
    expect(await entraError(await appToken("api://nowhere/.default"))).toMatchObject({
      error: "invalid_resource",
      error_codes: [500011],
    });
    expect(
      await entraError(await appToken("https://graph.microsoft.com/.default", "organizations")),
    ).toMatchObject({ error_codes: [50059] });
    expect(
      await entraError(
        await tokenRequest(emulator, {
          grant_type: "client_credentials",
          scope: "https://graph.microsoft.com/.default",
          client_id: daemon.clientId,
        }),
      ),
    ).toMatchObject({ status: 401, error: "invalid_client", error_codes: [7000216] });
  });

  it("a misconfigured application permission is a TypeError at start", async () => {
    await expect(
      createEmulator({
        port: 0,
        clients: [{ ...daemon, applicationPermissions: ["api://reports/Reports.Admin"] }],
        apis: [reports],
      }),
    ).rejects.toThrow(/application permission "api:\/\/reports\/Reports.Admin"/);
  });
});
