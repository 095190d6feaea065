// The emulator as a customer tenant: Entra External ID (`tenantKind: "external"`) and Azure AD
// B2C (`tenantKind: "b2c"`): their URL shapes, issuers, claims and user flows, driven over
// HTTP and with msal-node configured as its docs say for each.
import * as msal from "@azure/msal-node";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEmulator,
  defaultCustomers,
  type Emulator,
  editProfileAs,
  signInAs,
  signOut,
  signUpAs,
  tasksApiClientId,
} from "../src/index.ts";
import { callbackParams, pkce, redirectUri } from "./helpers.ts";

const tasksScope = `api://${tasksApiClientId}/Tasks.ReadWrite`;

/** An authorize URL of the browser base at `path` (a tenant, or `<tenant>/<policy>` for B2C). */
function authorize(emulator: Emulator, path: string, params: Record<string, string> = {}) {
  const url = new URL(`${emulator.browserUrl}/${path}/oauth2/v2.0/authorize`);
  const all: Record<string, string> = {
    client_id: emulator.clients[0]!.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "openid profile offline_access",
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    state: "state-1",
    nonce: "nonce-1",
    client_info: "1",
    ...params,
  };
  for (const [key, value] of Object.entries(all)) url.searchParams.set(key, value);
  return url.href;
}

async function token(emulator: Emulator, path: string, params: Record<string, string>) {
  const client = emulator.clients[0]!;
  const response = await fetch(`${emulator.url}/${path}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: client.clientId,
      client_secret: client.clientSecret!,
      ...params,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function redeem(emulator: Emulator, path: string, location: string, scope?: string) {
  const code = new URL(location).searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  return token(emulator, path, {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_info: "1",
    ...(scope ? { scope } : {}),
  });
}

function clientInfo(value: unknown) {
  return JSON.parse(Buffer.from(String(value), "base64url").toString("utf8"));
}

function errorOf(location: string) {
  const params = new URL(location).searchParams;
  return { error: params.get("error"), description: params.get("error_description") ?? "" };
}

describe("Entra External ID (tenantKind: external)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ port: 0, tenantKind: "external" });
  });
  afterAll(() => emulator.close());

  it("publishes External ID's issuer: the tenant id as host and path, not the authority's host", async () => {
    expect(emulator.tenantKind).toBe("external");
    expect(emulator.authority).toBe(`${emulator.url}/${emulator.tenantId}`);
    const issuer = `https://${emulator.tenantId}.ciamlogin.com/${emulator.tenantId}/v2.0`;
    expect(emulator.issuer).toBe(issuer);
    const document = (await (
      await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(document.issuer).toBe(issuer);
    expect(document.token_endpoint).toBe(`${emulator.authority}/oauth2/v2.0/token`);
    expect(document.jwks_uri).toBe(`${emulator.authority}/discovery/v2.0/keys`);
    // By domain too, answering with the tenant's id.
    const byDomain = (await (
      await fetch(`${emulator.url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(byDomain.issuer).toBe(issuer);
  });

  it("has customer accounts that sign in with their e-mail address", async () => {
    const avery = defaultCustomers("contoso.onmicrosoft.com")[0]!;
    expect(emulator.users.map((u) => u.mail)).toContain("avery.brooks@example.com");
    const page = await (await fetch(authorize(emulator, emulator.tenantId))).text();
    expect(page).toContain("avery.brooks@example.com");
    expect(page).toContain("No account? Create one");
    const { location } = await signInAs(authorize(emulator, emulator.tenantId), avery.mail!);
    const { body } = await redeem(emulator, emulator.tenantId, location);
    const claims = decodeJwt(String(body.id_token));
    expect(claims).toMatchObject({
      iss: emulator.issuer,
      tid: emulator.tenantId,
      oid: avery.oid,
      preferred_username: "avery.brooks@example.com",
      ver: "2.0",
    });
    expect(claims.sub).toBeTruthy();
    // A customer is never asked for consent: an administrator granted the app.
    expect(String(body.scope)).toContain("User.Read");
  });

  it("prompt=create shows the sign-up page; the new account is signed in, in Graph, and renews", async () => {
    const cca = new msal.ConfidentialClientApplication({
      auth: {
        clientId: emulator.clients[0]!.clientId,
        clientSecret: emulator.clients[0]!.clientSecret,
        authority: emulator.authority,
        knownAuthorities: [new URL(emulator.url).host],
      },
    });
    const { verifier, challenge } = await new msal.CryptoProvider().generatePkceCodes();
    const url = await cca.getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri,
      prompt: msal.PromptValue.CREATE,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state: "s",
      nonce: "n",
    });
    const page = await (await fetch(url)).text();
    expect(page).toContain('id="sign-up"');
    const { location, cookie } = await signUpAs(url, {
      email: "new.customer@example.com",
      displayName: "New Customer",
      givenName: "New",
      surname: "Customer",
    });
    const params = callbackParams(location);
    const result = await cca.acquireTokenByCode(
      {
        code: params.code!,
        scopes: ["User.Read"],
        redirectUri,
        codeVerifier: verifier,
        nonce: "n",
      },
      { code: params.code!, client_info: params.client_info },
    );
    const created = emulator.users.find((u) => u.mail === "new.customer@example.com")!;
    expect(created.displayName).toBe("New Customer");
    expect(created.userPrincipalName).toBe(`${created.oid}@contoso.onmicrosoft.com`);
    expect(result.idTokenClaims).toMatchObject({
      iss: emulator.issuer,
      oid: created.oid,
      name: "New Customer",
      preferred_username: "new.customer@example.com",
    });
    expect(result.account?.homeAccountId).toBe(`${created.oid}.${emulator.tenantId}`);
    const me = (await (
      await fetch(`${emulator.graphBaseUrl}/me`, {
        headers: { authorization: `Bearer ${result.accessToken}` },
      })
    ).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ id: created.oid, displayName: "New Customer", mail: created.mail });
    const renewed = await cca.acquireTokenSilent({
      account: result.account!,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(renewed.idTokenClaims).toMatchObject({ oid: created.oid, iss: emulator.issuer });
    // The ID token verifies with the published keys under External ID's issuer.
    const keys = createRemoteJWKSet(new URL(`${emulator.authority}/discovery/v2.0/keys`));
    await expect(
      jwtVerify(renewed.idToken, keys, { issuer: emulator.issuer }),
    ).resolves.toBeTruthy();
    // The browser session is the new account's: sign-out works as for workforce.
    const signedOut = await signOut(
      `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/logout`,
      {
        cookie: cookie!,
      },
    );
    expect(signedOut.frontchannelUris).toEqual([]);
  });

  it("refuses a second account with the same address, a malformed address and missing names", async () => {
    const url = authorize(emulator, emulator.tenantId, { prompt: "create" });
    const account = {
      email: "avery.brooks@example.com",
      displayName: "Avery Again",
      givenName: "Avery",
      surname: "Again",
    };
    await expect(signUpAs(url, account)).rejects.toThrow(/already exists/);
    await expect(signUpAs(url, { ...account, email: "not-an-address" })).rejects.toThrow(
      /valid email/,
    );
    await expect(
      signUpAs(url, { ...account, email: "x@example.com", surname: " " }),
    ).rejects.toThrow(/Surname is required/);
    expect(emulator.users.filter((u) => u.mail === "x@example.com")).toEqual([]);
  });

  it("cancelling the sign-up page answers the app access_denied", async () => {
    const { location } = await signInAs(
      authorize(emulator, emulator.tenantId, { prompt: "create" }),
      0,
      {
        signUp: "cancel",
      },
    );
    expect(errorOf(location).error).toBe("access_denied");
  });
});

describe("Azure AD B2C (tenantKind: b2c)", () => {
  let emulator: Emulator;
  const tenant = "contoso.onmicrosoft.com";
  const susi = `${tenant}/B2C_1_susi`;
  beforeAll(async () => {
    emulator = await createEmulator({ port: 0, tenantKind: "b2c" });
  });
  afterAll(() => emulator.close());

  it("serves each user flow's discovery under /{tenant}/{policy}/, with B2C's issuer", async () => {
    expect(emulator.authority).toBe(`${emulator.url}/${susi}`);
    expect(emulator.b2cPolicies).toEqual({
      signUpSignIn: "B2C_1_susi",
      profileEdit: "B2C_1_profile_edit",
      passwordReset: "B2C_1_password_reset",
    });
    const issuer = `${emulator.url}/${emulator.tenantId}/v2.0/`;
    expect(emulator.issuer).toBe(issuer);
    const document = (await (
      await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      issuer,
      authorization_endpoint: `${emulator.browserUrl}/${tenant}/b2c_1_susi/oauth2/v2.0/authorize`,
      token_endpoint: `${emulator.url}/${tenant}/b2c_1_susi/oauth2/v2.0/token`,
      end_session_endpoint: `${emulator.browserUrl}/${tenant}/b2c_1_susi/oauth2/v2.0/logout`,
      jwks_uri: `${emulator.url}/${tenant}/b2c_1_susi/discovery/v2.0/keys`,
      scopes_supported: ["openid"],
    });
    expect(document.claims_supported).toEqual(expect.arrayContaining(["tfp", "emails", "idp"]));
    // B2C's older form names the policy in `p`.
    const byQuery = (await (
      await fetch(
        `${emulator.url}/${tenant}/v2.0/.well-known/openid-configuration?p=B2C_1_profile_edit`,
      )
    ).json()) as Record<string, unknown>;
    expect(byQuery.token_endpoint).toBe(
      `${emulator.url}/${tenant}/b2c_1_profile_edit/oauth2/v2.0/token`,
    );
    const unknown = await fetch(
      `${emulator.url}/${tenant}/B2C_1_nope/v2.0/.well-known/openid-configuration`,
    );
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error_description: string }).error_description).toMatch(
      /^AADB2C90022: Unable to return metadata for the policy 'B2C_1_nope'/,
    );
    const none = await fetch(`${emulator.url}/${tenant}/v2.0/.well-known/openid-configuration`);
    expect(none.status).toBe(404);
  });

  it("issues B2C's ID token: ver 1.0, tfp, emails, names, sub = oid, no tid; client_info <oid>-<policy>", async () => {
    const cca = new msal.ConfidentialClientApplication({
      auth: {
        clientId: emulator.clients[0]!.clientId,
        clientSecret: emulator.clients[0]!.clientSecret,
        authority: emulator.authority,
        knownAuthorities: [new URL(emulator.url).host],
      },
    });
    const { verifier, challenge } = await new msal.CryptoProvider().generatePkceCodes();
    const url = await cca.getAuthCodeUrl({
      scopes: [],
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state: "s",
      nonce: "n",
    });
    const avery = emulator.users[0]!;
    const { location } = await signInAs(url, "avery.brooks@example.com");
    const params = callbackParams(location);
    const result = await cca.acquireTokenByCode(
      { code: params.code!, scopes: [], redirectUri, codeVerifier: verifier, nonce: "n" },
      { code: params.code!, client_info: params.client_info },
    );
    expect(result.accessToken).toBe("");
    expect(result.idTokenClaims).toMatchObject({
      iss: emulator.issuer,
      ver: "1.0",
      sub: avery.oid,
      oid: avery.oid,
      name: "Avery Brooks",
      given_name: "Avery",
      family_name: "Brooks",
      emails: ["avery.brooks@example.com"],
      tfp: "b2c_1_susi",
      nonce: "n",
    });
    expect(result.idTokenClaims).not.toHaveProperty("tid");
    expect(result.account?.homeAccountId).toBe(`${avery.oid}-b2c_1_susi.${emulator.tenantId}`);
    const keys = createRemoteJWKSet(new URL(`${emulator.authority}/discovery/v2.0/keys`));
    await expect(
      jwtVerify(result.idToken, keys, { issuer: emulator.issuer }),
    ).resolves.toBeTruthy();

    // An API's token, redeemed with the refresh token at the same user flow.
    const renewed = await cca.acquireTokenSilent({
      account: result.account!,
      scopes: [tasksScope],
    });
    expect(decodeJwt(renewed.accessToken)).toMatchObject({
      iss: emulator.issuer,
      aud: tasksApiClientId,
      scp: "Tasks.ReadWrite",
      tfp: "b2c_1_susi",
      azp: emulator.clients[0]!.clientId,
      oid: avery.oid,
      ver: "1.0",
    });
  });

  it("redeems a grant only at the user flow that issued it (AADB2C90088)", async () => {
    const { location } = await signInAs(authorize(emulator, susi), 0);
    const wrong = await redeem(emulator, `${tenant}/B2C_1_profile_edit`, location);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe("invalid_grant");
    expect(String(wrong.body.error_description)).toMatch(
      /^AADB2C90088: The provided grant has not been issued for this endpoint\. Actual Value : B2C_1_susi and Expected Value : B2C_1_profile_edit\r\nCorrelation ID: .+\r\nTimestamp: .+\r\n$/,
    );
    expect(wrong.body).not.toHaveProperty("error_codes");

    const { location: again } = await signInAs(authorize(emulator, susi), 0);
    const ok = await redeem(emulator, susi, again);
    expect(ok.status).toBe(200);
    const refresh = String(ok.body.refresh_token);
    const elsewhere = await token(emulator, `${tenant}/B2C_1_password_reset`, {
      grant_type: "refresh_token",
      refresh_token: refresh,
    });
    expect(String(elsewhere.body.error_description)).toMatch(/^AADB2C90088/);
    const here = await token(emulator, susi, {
      grant_type: "refresh_token",
      refresh_token: refresh,
    });
    expect(here.status).toBe(200);
    expect(decodeJwt(String(here.body.id_token)).tfp).toBe("b2c_1_susi");
  });

  it("has no Graph for its users (AADB2C90117) and no create prompt (AADB2C90043)", async () => {
    const graph = await fetch(authorize(emulator, susi, { scope: "openid User.Read" }), {
      redirect: "manual",
    });
    expect(errorOf(graph.headers.get("location")!).description).toMatch(
      /^AADB2C90117: The scope 'User.Read' provided in the request is not supported\./,
    );
    const create = await fetch(authorize(emulator, susi, { prompt: "create" }), {
      redirect: "manual",
    });
    expect(errorOf(create.headers.get("location")!).description).toMatch(/^AADB2C90043/);
  });

  it("'Forgot your password?' answers the app access_denied with AADB2C90118", async () => {
    const { location } = await signInAs(authorize(emulator, susi), 0, { forgotPassword: true });
    const { error, description } = errorOf(location);
    expect(error).toBe("access_denied");
    expect(description).toMatch(
      /^AADB2C90118: The user has forgotten their password\.\r\nCorrelation ID: [\w-]+\r\nTimestamp: .+\r\n$/,
    );
    expect(new URL(location).searchParams.get("state")).toBe("state-1");
    expect(new URL(location).searchParams.has("error_uri")).toBe(false);
  });

  it("the password reset user flow finds the account by e-mail and signs it in", async () => {
    const reset = `${tenant}/B2C_1_password_reset`;
    const jordan = emulator.users[1]!;
    const { location } = await signInAs(authorize(emulator, reset), 0, {
      passwordReset: { email: "jordan.lee@example.net" },
    });
    const { body } = await redeem(emulator, reset, location);
    expect(decodeJwt(String(body.id_token))).toMatchObject({
      oid: jordan.oid,
      tfp: "b2c_1_password_reset",
    });
    expect(clientInfo(body.client_info).uid).toBe(`${jordan.oid}-b2c_1_password_reset`);

    const page = await (await fetch(authorize(emulator, reset))).text();
    const request = /name="page_request" value="([^"]+)"/.exec(page)![1]!;
    const unknown = await fetch(`${emulator.browserUrl}/${reset}/oauth2/v2.0/password`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        page_request: request,
        email: "nobody@example.com",
        newPassword: "dev-only-password",
        decision: "continue",
      }),
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("We can&#39;t seem to find your account.");

    const cancelled = await signInAs(authorize(emulator, reset), 0, { passwordReset: "cancel" });
    expect(errorOf(cancelled.location).description).toMatch(/^AADB2C90091/);
  });

  it("the profile edit user flow edits the signed-in user (single sign-on) and answers new claims", async () => {
    const sam = emulator.users[2]!;
    const signedIn = await signInAs(authorize(emulator, susi), sam.mail!);
    const edit = `${tenant}/B2C_1_profile_edit`;
    const { location } = await editProfileAs(
      authorize(emulator, edit),
      { displayName: "Samantha Rivera", givenName: "Samantha" },
      { cookie: signedIn.cookie! },
    );
    const { body } = await redeem(emulator, edit, location);
    expect(decodeJwt(String(body.id_token))).toMatchObject({
      oid: sam.oid,
      name: "Samantha Rivera",
      given_name: "Samantha",
      family_name: "Rivera",
      // A social account: the identity provider that authenticated it.
      idp: "google.com",
      tfp: "b2c_1_profile_edit",
    });
    expect(sam.displayName).toBe("Samantha Rivera");

    const cancelled = await editProfileAs(authorize(emulator, edit), "cancel", {
      cookie: signedIn.cookie!,
    });
    expect(errorOf(cancelled.location)).toMatchObject({ error: "access_denied" });
    expect(errorOf(cancelled.location).description).toMatch(
      /^AADB2C90091: The user has cancelled entering self-asserted information\./,
    );
  });

  it("signs out at a user flow's logout endpoint", async () => {
    const { cookie } = await signInAs(authorize(emulator, susi), 0);
    const result = await signOut(
      `${emulator.browserUrl}/${susi}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("http://localhost:3000/")}`,
      { cookie: cookie! },
    );
    expect(result.redirect).toBe("http://localhost:3000/");
    // The session is gone: the next sign-in shows the sign-in page again.
    const page = await (
      await fetch(authorize(emulator, susi), { headers: { cookie: cookie! } })
    ).text();
    expect(page).toContain("Forgot your password?");
  });

  it("takes B2C's compatibility settings: the policy in acr, the tfp issuer format", async () => {
    const other = await createEmulator({
      port: 0,
      tenantKind: "b2c",
      b2c: { policyClaim: "acr", issuerFormat: "tfp", profileEditPolicy: null },
    });
    try {
      expect(other.b2cPolicies).toEqual({
        signUpSignIn: "B2C_1_susi",
        passwordReset: "B2C_1_password_reset",
      });
      expect(other.issuer).toBe(`${other.url}/tfp/${other.tenantId}/b2c_1_susi/v2.0/`);
      const { location } = await signInAs(authorize(other, susi), 0);
      const { body } = await redeem(other, susi, location);
      const claims = decodeJwt(String(body.id_token));
      expect(claims).toMatchObject({ acr: "b2c_1_susi", iss: other.issuer });
      expect(claims).not.toHaveProperty("tfp");
    } finally {
      await other.close();
    }
  });

  it("refuses misconfigured kinds and policies", async () => {
    await expect(
      createEmulator({ port: 0, tenantKind: "b2c", b2c: { signUpSignInPolicy: "susi" } }),
    ).rejects.toThrow(TypeError);
    await expect(createEmulator({ port: 0, b2c: {} })).rejects.toThrow(/tenantKind: "b2c"/);
    await expect(
      createEmulator({ port: 0, tenantKind: "nope" as unknown as "b2c" }),
    ).rejects.toThrow(/tenantKind must be one of/);
  });
});

describe("the workforce default", () => {
  it("keeps Entra's issuer, the picker for prompt=create and no customer pages", async () => {
    const emulator = await createEmulator({ port: 0 });
    try {
      expect(emulator.tenantKind).toBe("workforce");
      expect(emulator.issuer).toBe(`${emulator.url}/${emulator.tenantId}/v2.0`);
      const page = await (
        await fetch(
          authorize(emulator, emulator.tenantId, { prompt: "create", scope: "openid User.Read" }),
        )
      ).text();
      expect(page).toContain("Pick an account");
      expect(page).not.toContain("Create one");
      const signup = await fetch(`${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/signup`, {
        method: "POST",
      });
      expect(signup.status).toBe(404);
    } finally {
      await emulator.close();
    }
  });
});
