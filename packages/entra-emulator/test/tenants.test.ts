import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ClientRegistration,
  createEmulator,
  defaultClient,
  type Emulator,
  fabrikamTenant,
  signInAs,
  tasksApiClientId,
} from "../src/index.ts";
import {
  authorizeUrl,
  beginSignIn,
  callbackParams,
  type EntraError,
  msalClient,
  pkce,
  redirectUri,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
const fabrikam = fabrikamTenant.tenantId;
const megan = "MeganB@fabrikam.example"; // Fabrikam's administrator
const lee = "LeeG@fabrikam.example";
const adele = "AdeleV@contoso.example";

beforeEach(async () => {
  emulator = await createEmulator({ port: 0, tenants: [fabrikamTenant] });
});
afterEach(() => emulator.close());

const client = () => emulator.clients[0]!;

function redeem(location: string, tenant: string, scope?: string) {
  return tokenRequest(
    emulator,
    {
      grant_type: "authorization_code",
      code: new URL(location).searchParams.get("code")!,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
      client_id: client().clientId,
      client_secret: client().clientSecret,
      scope,
    },
    { tenant },
  );
}

async function pickerAccounts(url: string) {
  const html = await (await fetch(url)).text();
  return [...html.matchAll(/name="login" value="([^"]+)"/g)].map((m) => m[1]);
}

describe("a second tenant beside the default one", () => {
  it("leaves the default tenant, its users and the authority as they were", () => {
    expect(emulator.tenantId).toBe("aaaabbbb-0000-cccc-1111-dddd2222eeee");
    expect(emulator.authority).toBe(`${emulator.url}/${emulator.tenantId}`);
    expect(emulator.users.map((u) => u.userPrincipalName)).not.toContain(megan);
    expect(emulator.tenants.map((t) => t.tenantId)).toEqual([emulator.tenantId, fabrikam]);
    expect(emulator.tenants[1]).toMatchObject({
      domain: "fabrikam.example",
      usersCanConsent: false,
      admins: [fabrikamTenant.users[0]!.oid],
    });
  });

  it("has its own discovery document and key set, by id or by domain", async () => {
    for (const segment of [fabrikam, "fabrikam.example"]) {
      const doc = (await (
        await fetch(`${emulator.url}/${segment}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, string>;
      expect(doc.issuer).toBe(`${emulator.url}/${fabrikam}/v2.0`);
      expect(doc.token_endpoint).toBe(`${emulator.url}/${fabrikam}/oauth2/v2.0/token`);
      expect(doc.authorization_endpoint).toBe(
        `${emulator.browserUrl}/${fabrikam}/oauth2/v2.0/authorize`,
      );
    }
    const { keys } = (await (
      await fetch(`${emulator.url}/${fabrikam}/discovery/v2.0/keys`)
    ).json()) as { keys: { issuer: string }[] };
    expect(keys[0]!.issuer).toBe(`${emulator.url}/${fabrikam}/v2.0`);
  });

  it("the tenant's URL lists only its users; `organizations` lists everyone's", async () => {
    expect(await pickerAccounts(authorizeUrl(emulator, {}, fabrikam))).toEqual([megan, lee]);
    const everyone = await pickerAccounts(authorizeUrl(emulator, {}, "organizations"));
    expect(everyone).toEqual(expect.arrayContaining([adele, megan, lee]));
    // A forged form naming a user of another tenant is refused.
    await expect(signInAs(authorizeUrl(emulator, {}, fabrikam), adele)).rejects.toThrow(
      `AADSTS50034: The user account ${adele} does not exist in the '${fabrikam}' directory.`,
    );
  });
});

describe("signing in users of either tenant at `organizations`", () => {
  it("tokens name the user's own tenant: iss, tid, client_info, Graph's issuer", async () => {
    emulator.consents.grantTenant(fabrikam, ["User.Read"]);
    const { location } = await signInAs(authorizeUrl(emulator, {}, "organizations"), lee);
    const params = callbackParams(location);
    expect(JSON.parse(Buffer.from(params.client_info!, "base64url").toString())).toEqual({
      uid: fabrikamTenant.users[1]!.oid,
      utid: fabrikam,
    });
    const response = await redeem(location, "organizations");
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as TokenResponse;
    expect(decodeJwt(tokens.id_token!)).toMatchObject({
      iss: `${emulator.url}/${fabrikam}/v2.0`,
      tid: fabrikam,
      preferred_username: lee,
      aud: client().clientId,
    });
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      iss: `https://sts.windows.net/${fabrikam}/`,
      tid: fabrikam,
    });
    // The default tenant's users still sign in there, naming their tenant.
    const contoso = await signInAs(authorizeUrl(emulator, {}, "organizations"), adele);
    const theirs = (await (
      await redeem(contoso.location, "organizations")
    ).json()) as TokenResponse;
    expect(decodeJwt(theirs.id_token!)).toMatchObject({
      iss: `${emulator.authority}/v2.0`,
      tid: emulator.tenantId,
    });
  });

  it("msal-node with the organizations authority sees the user's home tenant", async () => {
    emulator.consents.grantTenant(fabrikam, ["User.Read"]);
    const cca = msalClient(emulator, `${emulator.url}/organizations`);
    const signIn = await beginSignIn(cca);
    const params = callbackParams((await signInAs(signIn.url, lee)).location);
    const result = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: signIn.scopes,
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    expect(result.account?.tenantId).toBe(fabrikam);
    expect(result.account?.homeAccountId).toBe(`${fabrikamTenant.users[1]!.oid}.${fabrikam}`);
    expect(result.idTokenClaims).toMatchObject({ tid: fabrikam });
  });

  it("an API token for the other tenant's user is issued by that tenant", async () => {
    const tasks = `api://${tasksApiClientId}/Tasks.ReadWrite`;
    emulator.consents.grantTenant(fabrikam, ["User.Read", tasks]);
    const scope = `${tasks} openid offline_access`;
    const { location } = await signInAs(authorizeUrl(emulator, { scope }, "organizations"), lee);
    const tokens = (await (await redeem(location, "organizations", scope)).json()) as TokenResponse;
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: tasksApiClientId,
      iss: `${emulator.url}/${fabrikam}/v2.0`,
      tid: fabrikam,
      scp: "Tasks.ReadWrite",
    });
  });

  it("a code is redeemed at the tenant it came from (AADSTS700005 elsewhere)", async () => {
    emulator.consents.grantTenant(fabrikam, ["User.Read"]);
    const { location } = await signInAs(authorizeUrl(emulator, {}, fabrikam), lee);
    const response = await redeem(location, emulator.tenantId);
    expect(response.status).toBe(400);
    const body = (await response.json()) as EntraError;
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(
      /^AADSTS700005: Provided Authorization Code is intended to use against other tenant, thus rejected\./,
    );
  });
});

describe("before the other tenant's admin consented", () => {
  it("a user there gets Entra's 'Need admin approval' (AADSTS90094), never a consent prompt", async () => {
    const url = authorizeUrl(emulator, {}, "organizations");
    const page = await fetch(url);
    const transaction = /name="transaction" value="([^"]+)"/.exec(await page.text())![1]!;
    const answer = await fetch(`${emulator.browserUrl}/organizations/oauth2/v2.0/authorize`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ transaction, login: lee }),
    });
    expect(answer.status).toBe(200);
    const html = await answer.text();
    expect(html).toContain('<h1 id="admin-approval">Need admin approval</h1>');
    expect(html).toContain(
      "entra-bff dev-only needs permission to access resources in your organization that only an admin can grant.",
    );
    expect(html).toContain("AADSTS90094: The grant requires admin permission.");
    expect(html).not.toContain('value="accept"');

    await expect(signInAs(url, lee)).rejects.toThrow(
      "the emulator asks for admin approval: AADSTS90094: The grant requires admin permission.",
    );
    // "Return to the application without granting consent".
    const back = await signInAs(url, lee, { consent: "decline" });
    expect(back.consentPrompt).toEqual(["User.Read"]);
    const params = callbackParams(back.location);
    expect(params.error).toBe("access_denied");
    expect(params.error_description).toMatch(/^AADSTS65004: /);
    expect(emulator.consents.list()).toEqual([]);
  });

  it("an accept sent anyway is refused; 'sign in with an admin account' shows the picker", async () => {
    const url = authorizeUrl(emulator, {}, "organizations");
    const transaction = /name="transaction" value="([^"]+)"/.exec(
      await (await fetch(url)).text(),
    )![1]!;
    const signedIn = await fetch(`${emulator.browserUrl}/organizations/oauth2/v2.0/authorize`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ transaction, login: lee }),
    });
    const cookie = signedIn.headers.getSetCookie()[0]!.split(";")[0]!;
    const request = /name="consent_request" value="([^"]+)"/.exec(await signedIn.text())![1]!;
    const consent = (decision: string, id = request) =>
      fetch(`${emulator.browserUrl}/organizations/oauth2/v2.0/consent`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie },
        body: new URLSearchParams({ consent_request: id, decision }),
      });
    const forced = await consent("accept");
    expect(forced.status).toBe(400);
    expect(await forced.text()).toContain("decision=switch_account or decision=cancel");
    expect(emulator.consents.list()).toEqual([]);

    // A fresh approval page (the refused one was spent), then switch to the admin.
    const again = await fetch(`${emulator.browserUrl}/organizations/oauth2/v2.0/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie },
      body: new URLSearchParams({
        transaction: /name="transaction" value="([^"]+)"/.exec(
          // select_account: the picker, not single sign-on as the session's user.
          await (await fetch(`${url}&prompt=select_account`, { headers: { cookie } })).text(),
        )![1]!,
        login: lee,
      }),
    });
    const second = /name="consent_request" value="([^"]+)"/.exec(await again.text())![1]!;
    const picker = await consent("switch_account", second);
    expect(picker.status).toBe(200);
    expect(await picker.text()).toContain(`name="login" value="${megan}"`);
  });

  it("prompt=none → consent_required AADSTS65001", async () => {
    const { cookie } = await signInAs(authorizeUrl(emulator, {}, "organizations"), lee, {
      consent: "decline",
    });
    const silent = await fetch(authorizeUrl(emulator, { prompt: "none" }, "organizations"), {
      redirect: "manual",
      headers: { cookie: cookie! },
    });
    const params = callbackParams(silent.headers.get("location")!);
    expect(params.error).toBe("consent_required");
    expect(params.error_description).toMatch(/^AADSTS65001: /);
  });

  it("the tenant's admin may consent for herself on the ordinary prompt", async () => {
    const { location, consentPrompt } = await signInAs(
      authorizeUrl(emulator, {}, "organizations"),
      megan,
    );
    expect(consentPrompt).toEqual(["User.Read"]);
    expect(callbackParams(location).code).toBeTruthy();
    // Only her own consent: Lee still needs an admin.
    await expect(signInAs(authorizeUrl(emulator, {}, "organizations"), lee)).rejects.toThrow(
      /AADSTS90094/,
    );
  });
});

describe("single-tenant apps (AzureADMyOrg)", () => {
  const singleTenant: ClientRegistration = {
    ...defaultClient,
    signInAudience: "AzureADMyOrg",
  };

  it("do not exist in another tenant (AADSTS700016); its users are refused (AADSTS50020)", async () => {
    await emulator.close();
    emulator = await createEmulator({
      port: 0,
      tenants: [fabrikamTenant],
      clients: [singleTenant],
    });
    const page = await fetch(authorizeUrl(emulator, {}, fabrikam));
    expect(page.status).toBe(400);
    expect(await page.text()).toContain(
      `AADSTS700016: Application with identifier &#39;${defaultClient.clientId}&#39; was not found in the directory &#39;${fabrikam}&#39;.`,
    );
    await expect(signInAs(authorizeUrl(emulator, {}, "organizations"), lee)).rejects.toThrow(
      `AADSTS50020: User account '${lee}' from identity provider 'https://sts.windows.net/${fabrikam}/' does not exist in tenant '${emulator.tenantId}'`,
    );
    // Its own tenant's users sign in as before.
    const { location } = await signInAs(authorizeUrl(emulator, {}, "organizations"), adele);
    expect(callbackParams(location).code).toBeTruthy();
    // The token endpoint of the other tenant does not know the app either.
    const response = await redeem(location, fabrikam);
    expect(((await response.json()) as EntraError).error_codes).toEqual([700016]);
  });
});

describe("tenant options are checked", () => {
  it("a duplicate tenant, an admin who is not a member, a tenant without users", async () => {
    await expect(
      createEmulator({ port: 0, tenants: [fabrikamTenant, fabrikamTenant] }),
    ).rejects.toThrow(new TypeError(`tenant "${fabrikam}" is configured twice`));
    await expect(
      createEmulator({ port: 0, tenants: [{ ...fabrikamTenant, admins: [adele] }] }),
    ).rejects.toThrow(new TypeError(`admin "${adele}" is not a user of tenant ${fabrikam}`));
    await expect(
      createEmulator({ port: 0, tenants: [{ ...fabrikamTenant, users: [] }] }),
    ).rejects.toThrow(new TypeError(`tenant ${fabrikam} needs at least one user`));
  });
});
