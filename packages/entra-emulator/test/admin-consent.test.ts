import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createEmulator,
  type Emulator,
  fabrikamTenant,
  signInAs,
  tasksApiClientId,
} from "../src/index.ts";
import {
  authorizeUrl,
  callbackParams,
  pkce,
  redirectUri,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
const fabrikam = fabrikamTenant.tenantId;
const megan = "MeganB@fabrikam.example"; // Fabrikam's administrator
const lee = "LeeG@fabrikam.example";
const tasks = `api://${tasksApiClientId}/Tasks.ReadWrite`;
const appPermissions = `https://graph.microsoft.com/.default api://${tasksApiClientId}/.default`;

beforeEach(async () => {
  emulator = await createEmulator({ port: 0, tenants: [fabrikamTenant] });
});
afterEach(() => emulator.close());

const client = () => emulator.clients[0]!;

function adminConsentUrl(params: Record<string, string | undefined>, tenant = "organizations") {
  const url = new URL(`${emulator.browserUrl}/${tenant}/v2.0/adminconsent`);
  const all: Record<string, string | undefined> = {
    client_id: client().clientId,
    redirect_uri: redirectUri,
    scope: appPermissions,
    state: "s-1",
    ...params,
  };
  for (const [key, value] of Object.entries(all)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.href;
}

describe("GET /{tenant}/v2.0/adminconsent", () => {
  it("an admin grants the app's permissions for her tenant: admin_consent=True&tenant&scope&state", async () => {
    const result = await signInAs(adminConsentUrl({}), megan);
    // The prompt lists the app's configured permissions (what /.default stands for).
    expect(result.consentPrompt).toEqual(["User.Read", "User.ReadBasic.All", tasks]);
    const back = new URL(result.location);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect([...back.searchParams.keys()]).toEqual(["admin_consent", "tenant", "scope", "state"]);
    expect(callbackParams(result.location)).toEqual({
      admin_consent: "True",
      tenant: fabrikam,
      scope: `https://graph.microsoft.com/User.Read https://graph.microsoft.com/User.ReadBasic.All ${tasks}`,
      state: "s-1",
    });
    expect(emulator.consents.listTenant()).toEqual([
      {
        clientId: client().clientId,
        tenantId: fabrikam,
        scopes: ["User.Read", "User.ReadBasic.All", tasks],
      },
    ]);

    // Everyone in Fabrikam now signs in without a prompt, and gets the granted API's token.
    const scope = `${tasks} openid offline_access`;
    const signIn = await signInAs(authorizeUrl(emulator, { scope }, "organizations"), lee);
    expect(signIn.consentPrompt).toBeUndefined();
    const response = await tokenRequest(
      emulator,
      {
        grant_type: "authorization_code",
        code: callbackParams(signIn.location).code,
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
        client_id: client().clientId,
        client_secret: client().clientSecret,
        scope,
      },
      { tenant: "organizations" },
    );
    const tokens = (await response.json()) as TokenResponse;
    expect(decodeJwt(tokens.access_token)).toMatchObject({ tid: fabrikam, scp: "Tasks.ReadWrite" });
  });

  it("shows the organization on the prompt and grants only what was asked (dynamic scopes)", async () => {
    const page = await fetch(adminConsentUrl({ scope: "User.Read" }, fabrikam));
    const transaction = /name="transaction" value="([^"]+)"/.exec(await page.text())![1]!;
    const prompt = await fetch(`${emulator.browserUrl}/${fabrikam}/oauth2/v2.0/authorize`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ transaction, login: megan }),
    });
    const html = await prompt.text();
    expect(html).toContain("accept for your organization");
    expect(html).toContain('<strong id="consent-organization">Fabrikam (dev-only)</strong>');

    const result = await signInAs(
      adminConsentUrl({ scope: "User.Read" }, "fabrikam.example"),
      megan,
    );
    expect(callbackParams(result.location).scope).toBe("https://graph.microsoft.com/User.Read");
    expect(emulator.consents.listTenant({ tenant: "fabrikam.example" })[0]!.scopes).toEqual([
      "User.Read",
    ]);
  });

  it("Cancel → admin_consent=True&error=consent_required (AADSTS65004); nothing granted", async () => {
    const result = await signInAs(adminConsentUrl({}), megan, { consent: "decline" });
    const params = callbackParams(result.location);
    expect(params.admin_consent).toBe("True");
    expect(params.error).toBe("consent_required");
    expect(params.error_description).toMatch(
      /^AADSTS65004: The resource owner or authorization server denied the request\.\r\nTrace ID: /,
    );
    expect(params.state).toBe("s-1");
    expect(params).not.toHaveProperty("tenant");
    expect(emulator.consents.listTenant()).toEqual([]);
  });

  it("a user who is not an admin: 'Need admin approval', and back with error=access_denied AADSTS90094", async () => {
    await expect(signInAs(adminConsentUrl({}), lee)).rejects.toThrow(/AADSTS90094/);
    const result = await signInAs(adminConsentUrl({}), lee, { consent: "decline" });
    const params = callbackParams(result.location);
    expect(params).toMatchObject({ admin_consent: "True", error: "access_denied", state: "s-1" });
    expect(params.error_description).toMatch(/^AADSTS90094: The grant requires admin permission\./);
    expect(emulator.consents.listTenant()).toEqual([]);
  });

  it("the default tenant's admin (Adele) consents for Contoso", async () => {
    const result = await signInAs(adminConsentUrl({}, emulator.tenantId), "AdeleV@contoso.example");
    expect(callbackParams(result.location)).toMatchObject({
      admin_consent: "True",
      tenant: emulator.tenantId,
    });
  });

  it("refuses bad requests as Entra does: pages for the app's identity, redirects for the rest", async () => {
    const page = async (url: string, text: string) => {
      const response = await fetch(url, { redirect: "manual" });
      expect(response.status, url).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(await response.text()).toContain(text);
    };
    await page(adminConsentUrl({}, "nowhere.example"), "AADSTS90002");
    await page(adminConsentUrl({ client_id: undefined }), "AADSTS900144");
    await page(
      adminConsentUrl({ client_id: "00000000-0000-0000-0000-000000000bad" }),
      "AADSTS700016",
    );
    await page(adminConsentUrl({ redirect_uri: "https://evil.example/cb" }), "AADSTS50011");

    const redirected = async (params: Record<string, string | undefined>, code: string) => {
      const response = await fetch(adminConsentUrl(params), { redirect: "manual" });
      expect(response.status).toBe(302);
      const back = callbackParams(response.headers.get("location")!);
      expect(back.admin_consent).toBe("True");
      expect(back.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
      expect(back.state).toBe("s-1");
    };
    await redirected({ scope: undefined }, "900144");
    await redirected({ scope: "api://nothing-here/.default" }, "500011");
    await redirected({ scope: `api://${tasksApiClientId}/Tasks.Nope` }, "650053");
  });
});
