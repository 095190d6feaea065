import * as msal from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, signInAs, tasksApiClientId } from "../src/index.ts";
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
const adele = "AdeleV@contoso.example";
const alex = "AlexW@contoso.example";
const tasksScope = `api://${tasksApiClientId}/Tasks.ReadWrite`;
const withTasks = `User.Read ${tasksScope} openid profile offline_access`;

beforeEach(async () => {
  emulator = await createEmulator({ port: 0 });
});
afterEach(() => emulator.close());

const client = () => emulator.clients[0]!;

function redeem(location: string, scope: string) {
  return tokenRequest(emulator, {
    grant_type: "authorization_code",
    code: new URL(location).searchParams.get("code")!,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client().clientId,
    client_secret: client().clientSecret,
    scope,
  });
}

function refresh(refreshToken: string, scope: string) {
  return tokenRequest(emulator, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    scope,
    client_id: client().clientId,
    client_secret: client().clientSecret,
  });
}

describe("consent for a registered API's scopes", () => {
  it("the prompt lists the API's scope with the description it exposes, as for Graph", async () => {
    const page = await fetch(authorizeUrl(emulator, { scope: withTasks }));
    const transaction = /name="transaction" value="([^"]+)"/.exec(await page.text())![1]!;
    const prompt = await fetch(
      `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/authorize`,
      {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ transaction, login: alex }),
      },
    );
    expect(prompt.status).toBe(200);
    const html = await prompt.text();
    expect(html).toContain(
      `<li data-scope="${tasksScope}">Read and write your tasks<small>${tasksScope}</small></li>`,
    );
    expect(html).toContain("(entra-bff dev-only) would like to:");
    expect(html).not.toContain('data-scope="User.Read"');
  });

  it("one prompt gathers consent for several resources; each is then redeemable", async () => {
    const scope = `User.Read Mail.Read ${tasksScope} openid profile offline_access`;
    const { location, consentPrompt } = await signInAs(authorizeUrl(emulator, { scope }), adele);
    expect(consentPrompt).toEqual(["Mail.Read", tasksScope]);
    expect(emulator.consents.list({ user: adele })).toMatchObject([
      { clientId: client().clientId, scopes: ["Mail.Read", tasksScope] },
    ]);
    const graph = (await (
      await redeem(location, "User.Read Mail.Read openid profile offline_access")
    ).json()) as TokenResponse;
    expect(graph.scope).toBe("openid profile User.Read Mail.Read email");
    const tasks = (await (
      await refresh(graph.refresh_token!, `${tasksScope} offline_access`)
    ).json()) as TokenResponse;
    expect(decodeJwt(tasks.access_token).scp).toBe("Tasks.ReadWrite");

    // Granted once: the next sign-in asks nothing.
    const again = await signInAs(authorizeUrl(emulator, { scope }), adele);
    expect(again.consentPrompt).toBeUndefined();
  });

  it("prompt=none without consent to the API → consent_required AADSTS65001", async () => {
    const { cookie } = await signInAs(authorizeUrl(emulator, {}), alex);
    const silent = await fetch(authorizeUrl(emulator, { scope: withTasks, prompt: "none" }), {
      redirect: "manual",
      headers: { cookie: cookie! },
    });
    const params = callbackParams(silent.headers.get("location")!);
    expect(params.error).toBe("consent_required");
    expect(params.error_description).toMatch(/^AADSTS65001: /);
  });

  it("/token for the API without consent → invalid_grant consent_required, then granted by the admin API", async () => {
    const signIn = await signInAs(authorizeUrl(emulator, {}), alex);
    const tokens = (await (
      await redeem(signIn.location, "User.Read openid profile offline_access")
    ).json()) as TokenResponse;
    const refused = await refresh(tokens.refresh_token!, tasksScope);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as EntraError;
    expect(body).toMatchObject({
      error: "invalid_grant",
      suberror: "consent_required",
      error_codes: [65001],
    });
    expect(body.error_description).toContain(
      `has not consented to use the application with ID '${client().clientId}' named 'entra-bff dev-only'`,
    );

    emulator.consents.grant(alex, [`${tasksApiClientId}/tasks.readwrite`]);
    expect(emulator.consents.list({ user: alex })[0]!.scopes).toEqual([tasksScope]);
    expect((await refresh(tokens.refresh_token!, tasksScope)).status).toBe(200);

    // /.default with nothing consented for that API is refused the same way.
    emulator.consents.revoke(alex);
    const asDefault = await refresh(tokens.refresh_token!, `api://${tasksApiClientId}/.default`);
    expect(((await asDefault.json()) as EntraError).error_codes).toEqual([65001]);
  });

  it("msal-node: InteractionRequiredAuthError for the API after consent is revoked", async () => {
    const cca = msalClient(emulator);
    const signIn = await beginSignIn(cca, ["User.Read", tasksScope]);
    const params = callbackParams((await signInAs(signIn.url, adele)).location);
    const first = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: [tasksScope],
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    expect(first.scopes).toEqual([tasksScope]);
    emulator.consents.revoke(adele);
    const error = await cca
      .acquireTokenSilent({ account: first.account!, scopes: [tasksScope], forceRefresh: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(msal.InteractionRequiredAuthError);
    expect((error as msal.InteractionRequiredAuthError).subError).toBe("consent_required");
  });

  it("the admin API names unknown API scopes", () => {
    expect(() => emulator.consents.grant(adele, [`api://${tasksApiClientId}/Tasks.Nope`])).toThrow(
      new TypeError(
        `unknown scope "api://${tasksApiClientId}/Tasks.Nope"; the registered APIs expose ${tasksScope}`,
      ),
    );
    expect(() => emulator.consents.grant(adele, [`api://${tasksApiClientId}/.default`])).toThrow(
      TypeError,
    );
  });
});
