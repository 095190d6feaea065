import * as msal from "@azure/msal-node";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
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
let now: number;
const adele = "AdeleV@contoso.example";
const alex = "AlexW@contoso.example";
const tasksUri = `api://${tasksApiClientId}`;
const tasksScope = `${tasksUri}/Tasks.ReadWrite`;

beforeEach(async () => {
  now = Date.now();
  emulator = await createEmulator({ port: 0, now: () => now });
});
afterEach(() => emulator.close());

const client = () => emulator.clients[0]!;

function redeem(location: string, scope?: string) {
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

function refresh(refreshToken: string, scope: string | undefined) {
  return tokenRequest(emulator, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    scope,
    client_id: client().clientId,
    client_secret: client().clientSecret,
  });
}

async function expectEntraError(response: Response, error: string, code: number) {
  expect(response.status).toBe(400);
  const body = (await response.json()) as EntraError;
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  expect(body.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
  return body;
}

/** Signs `user` in for the Tasks API's scope (accepting the prompt) and redeems the code. */
async function tasksTokens(user = adele, scope = `${tasksScope} openid profile offline_access`) {
  const { location } = await signInAs(authorizeUrl(emulator, { scope, nonce: "n-1" }), user);
  const response = await redeem(location, scope);
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponse;
}

describe("the default registrations", () => {
  it("register the Tasks API as an API, and the BFF's client with its app roles", () => {
    expect(emulator.apis).toEqual([
      expect.objectContaining({
        clientId: "00000000-0000-0000-0000-00000007a5c5",
        applicationIdUri: "api://00000000-0000-0000-0000-00000007a5c5",
        exposedScopes: [{ value: "Tasks.ReadWrite", description: "Read and write your tasks" }],
        appRoles: [expect.objectContaining({ value: "Tasks.Admin" })],
        roleAssignments: { "AdeleV@contoso.example": ["Tasks.Admin"] },
      }),
    ]);
    expect(client()).toMatchObject({
      appRoles: [expect.objectContaining({ value: "Tasks.Admin" })],
      roleAssignments: { "AdeleV@contoso.example": ["Tasks.Admin"] },
    });
  });
});

describe("v2.0 access tokens for a registered API", () => {
  it("the code grant: aud = the API, v2.0 issuer, azp, scp, roles, pairwise sub, ver 2.0", async () => {
    const tokens = await tasksTokens();
    expect(tokens.scope).toBe(tasksScope);
    const access = decodeJwt(tokens.access_token);
    expect(Object.keys(access)).toEqual([
      "aud",
      "iss",
      "iat",
      "nbf",
      "exp",
      "aio",
      "azp",
      "azpacr",
      "name",
      "oid",
      "preferred_username",
      "rh",
      "roles",
      "scp",
      "sub",
      "tid",
      "uti",
      "ver",
    ]);
    const iat = Math.floor(now / 1000);
    expect(access).toMatchObject({
      aud: tasksApiClientId,
      iss: `${emulator.authority}/v2.0`,
      iat,
      nbf: iat,
      azp: client().clientId,
      azpacr: "1",
      name: "Adele Vance",
      oid: emulator.users[0]!.oid,
      preferred_username: adele,
      roles: ["Tasks.Admin"],
      scp: "Tasks.ReadWrite",
      tid: emulator.tenantId,
      ver: "2.0",
    });
    // Entra's default lifetime: a random 60 to 90 minutes.
    expect((access.exp as number) - iat).toBeGreaterThanOrEqual(3600);
    expect((access.exp as number) - iat).toBeLessThanOrEqual(5400);
    // Pairwise per API: not the client's sub (ID token), nor Graph's.
    const id = decodeJwt(tokens.id_token!);
    expect(access.sub).not.toBe(id.sub);
    expect(id).toMatchObject({ aud: client().clientId, nonce: "n-1", roles: ["Tasks.Admin"] });

    // Signed by the emulator's published key, like every token it issues.
    const keys = createRemoteJWKSet(new URL(`${emulator.authority}/discovery/v2.0/keys`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, keys, {
      issuer: `${emulator.authority}/v2.0`,
      audience: tasksApiClientId,
      algorithms: ["RS256"],
      currentDate: new Date(now),
    });
    expect(payload.scp).toBe("Tasks.ReadWrite");
    expect(protectedHeader).toMatchObject({ typ: "JWT", alg: "RS256" });
  });

  it("a user without an app role gets no roles claim", async () => {
    const tokens = await tasksTokens(alex);
    const access = decodeJwt(tokens.access_token);
    expect(access).not.toHaveProperty("roles");
    expect(access).toMatchObject({ preferred_username: alex, scp: "Tasks.ReadWrite" });
    expect(decodeJwt(tokens.id_token!)).not.toHaveProperty("roles");
  });

  it("the refresh grant redeems one sign-in's refresh token for Graph and for the API", async () => {
    // Sign in for Graph only, consenting to the API up front (several resources at /authorize).
    const scope = `User.Read ${tasksScope} openid profile offline_access`;
    const { location, consentPrompt } = await signInAs(authorizeUrl(emulator, { scope }), adele);
    expect(consentPrompt).toEqual([tasksScope]);
    const graph = (await (
      await redeem(location, "User.Read openid profile offline_access")
    ).json()) as TokenResponse;
    expect(decodeJwt(graph.access_token).aud).toBe("00000003-0000-0000-c000-000000000000");

    const api = await refresh(graph.refresh_token!, `${tasksScope} openid offline_access`);
    expect(api.status).toBe(200);
    const body = (await api.json()) as TokenResponse;
    expect(body.scope).toBe(tasksScope);
    expect(body.refresh_token).toBeTruthy();
    expect(decodeJwt(body.access_token)).toMatchObject({
      aud: tasksApiClientId,
      scp: "Tasks.ReadWrite",
      azp: client().clientId,
      ver: "2.0",
    });
    // The same user's sub for the API is stable across grants.
    const again = (await (await refresh(body.refresh_token!, tasksScope)).json()) as TokenResponse;
    expect(decodeJwt(again.access_token).sub).toBe(decodeJwt(body.access_token).sub);
    expect(again).not.toHaveProperty("id_token");
  });

  it("names the API by client id or asks for /.default", async () => {
    await tasksTokens();
    const byId = await tasksTokens(adele, `${tasksApiClientId}/Tasks.ReadWrite offline_access`);
    expect(byId.scope).toBe(`${tasksApiClientId}/Tasks.ReadWrite`);
    expect(decodeJwt(byId.access_token)).toMatchObject({
      aud: tasksApiClientId,
      scp: "Tasks.ReadWrite",
    });

    const asDefault = await refresh(byId.refresh_token!, `${tasksUri}/.default`);
    expect(asDefault.status).toBe(200);
    const body = (await asDefault.json()) as TokenResponse;
    expect(body.scope).toBe(tasksScope);
    expect(decodeJwt(body.access_token).scp).toBe("Tasks.ReadWrite");
    // Scope values and resource names are case-insensitive, as at Entra.
    const lower = await refresh(byId.refresh_token!, tasksScope.toLowerCase());
    expect(decodeJwt(((await lower.json()) as TokenResponse).access_token).scp).toBe(
      "Tasks.ReadWrite",
    );
  });

  it("msal-node caches per resource and renews the API token silently", async () => {
    const cca = msalClient(emulator);
    const signIn = await beginSignIn(cca, ["User.Read", tasksScope]);
    const params = callbackParams((await signInAs(signIn.url, adele)).location);
    const first = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: ["User.Read"],
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    const api = await cca.acquireTokenSilent({ account: first.account!, scopes: [tasksScope] });
    expect(api.scopes).toEqual([tasksScope]);
    expect(decodeJwt(api.accessToken)).toMatchObject({
      aud: tasksApiClientId,
      roles: ["Tasks.Admin"],
    });
    const renewed = await cca.acquireTokenSilent({
      account: first.account!,
      scopes: [tasksScope],
      forceRefresh: true,
    });
    expect(decodeJwt(renewed.accessToken).uti).not.toBe(decodeJwt(api.accessToken).uti);
  });
});

describe("scopes Entra refuses", () => {
  it("/authorize: an unknown scope of a known API → invalid_client AADSTS650053", async () => {
    const response = await fetch(
      authorizeUrl(emulator, { scope: `${tasksUri}/Tasks.Delete openid offline_access` }),
      { redirect: "manual" },
    );
    expect(response.status).toBe(302);
    const params = callbackParams(response.headers.get("location")!);
    expect(params.error).toBe("invalid_client");
    expect(params.error_description).toMatch(
      new RegExp(
        `^AADSTS650053: The application 'entra-bff dev-only' asked for scope '${tasksUri}/Tasks\\.Delete' that doesn't exist on the resource '${tasksApiClientId}'\\. Contact the app vendor\\.\\r\\nTrace ID: `,
      ),
    );
    expect(params.state).toBe("state-1");
  });

  it("/token: an unknown scope → invalid_scope AADSTS70011; an unknown resource → AADSTS500011", async () => {
    const tokens = await tasksTokens();
    const body = await expectEntraError(
      await refresh(tokens.refresh_token!, `${tasksUri}/Nope.Read`),
      "invalid_scope",
      70011,
    );
    expect(body.error_description).toContain(
      `The provided value for the input parameter 'scope' is not valid. The scope '${tasksUri}/Nope.Read' does not exist.`,
    );
    await expectEntraError(
      await refresh(tokens.refresh_token!, "api://00000000-0000-0000-0000-0000000000aa/read"),
      "invalid_resource",
      500011,
    );
  });

  it("/token: scopes of two resources → AADSTS28000, though /authorize may name both", async () => {
    const scope = `User.Read ${tasksScope} openid profile offline_access`;
    const { location } = await signInAs(authorizeUrl(emulator, { scope }), adele);
    const body = await expectEntraError(await redeem(location, scope), "invalid_request", 28000);
    expect(body.error_description).toMatch(
      new RegExp(
        `^AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource\\. Scope User\\.Read ${tasksUri}/Tasks\\.ReadWrite openid profile offline_access is not valid\\.\\r\\n`,
      ),
    );
    // Without `scope`, the code's own (two resources) are refused the same way.
    const second = await signInAs(authorizeUrl(emulator, { scope }), adele);
    await expectEntraError(await redeem(second.location), "invalid_request", 28000);
  });

  it("msal-node surfaces AADSTS28000 as a ServerError", async () => {
    const tokens = await tasksTokens();
    const cca = msalClient(emulator);
    const error = await cca
      .acquireTokenByRefreshToken({
        refreshToken: tokens.refresh_token!,
        scopes: ["User.Read", tasksScope],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(msal.ServerError);
    expect((error as msal.ServerError).errorMessage).toContain("AADSTS28000: Provided value");
  });
});

describe("createEmulator({ apis })", () => {
  it("registers other APIs (an app may be client and API at once), or none", async () => {
    const notes = {
      clientId: "00000000-0000-0000-0000-0000000a0b0c",
      redirectUris: [],
      applicationIdUri: "https://notes.contoso.example",
      exposedScopes: [{ value: "Notes.Read", description: "Read your notes" }],
      requestedAccessTokenVersion: 2 as const,
      appRoles: [
        { value: "Notes.Auditor", allowedMemberTypes: ["User" as const] },
        { value: "Notes.Sync", allowedMemberTypes: ["Application" as const] },
      ],
      // Undefined and application-only roles are never given to a user.
      roleAssignments: { [emulator.users[1]!.oid]: ["Notes.Auditor", "Notes.Sync", "Nope"] },
    };
    const custom = await createEmulator({ port: 0, apis: [notes] });
    try {
      const scope = "https://notes.contoso.example/Notes.Read offline_access";
      const url = authorizeUrl(custom, { scope });
      const { location, consentPrompt } = await signInAs(url, alex);
      expect(consentPrompt).toEqual(["https://notes.contoso.example/Notes.Read"]);
      const response = await tokenRequest(custom, {
        grant_type: "authorization_code",
        code: new URL(location).searchParams.get("code")!,
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
        client_id: custom.clients[0]!.clientId,
        client_secret: custom.clients[0]!.clientSecret,
      });
      const body = (await response.json()) as TokenResponse;
      expect(body.scope).toBe("https://notes.contoso.example/Notes.Read");
      expect(decodeJwt(body.access_token)).toMatchObject({
        aud: notes.clientId,
        scp: "Notes.Read",
        roles: ["Notes.Auditor"],
      });
      // The default Tasks API is not registered beside them.
      const tasks = await fetch(authorizeUrl(custom, { scope: tasksScope }), {
        redirect: "manual",
      });
      expect(callbackParams(tasks.headers.get("location")!).error).toBe("invalid_resource");
    } finally {
      await custom.close();
    }
  });
});
