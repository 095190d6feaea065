// What tokens say: optional claims, the `profile` and `email` scopes, an API's token version,
// every consented permission of the resource ("additive scopes"), Graph's own header.
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  jwtVerify,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientRegistration, createEmulator, type Emulator, signInAs } from "../src/index.ts";
import { authorizeUrl, pkce, redirectUri, type TokenResponse, tokenRequest } from "./helpers.ts";

const bare: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000c7a01",
  clientSecret: "dev-only-bare-secret",
  redirectUris: [redirectUri],
};
const claimsApp: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000c7a02",
  clientSecret: "dev-only-claims-secret",
  redirectUris: [redirectUri],
  optionalClaims: {
    idToken: [
      { name: "login_hint" },
      { name: "email" },
      { name: "upn" },
      { name: "family_name" },
      { name: "given_name" },
      { name: "acct" },
    ],
  },
};
const v1Api: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000c7a03",
  redirectUris: [],
  applicationIdUri: "api://legacy",
  exposedScopes: [{ value: "Legacy.Read" }, { value: "Legacy.Write" }],
};
const guidApi: ClientRegistration = {
  ...v1Api,
  clientId: "00000000-0000-0000-0000-0000000c7a04",
  applicationIdUri: "api://legacy-guid",
  optionalClaims: { accessToken: [{ name: "aud", additionalProperties: ["use_guid"] }] },
};

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    clients: [bare, claimsApp],
    apis: [v1Api, guidApi],
  });
});
afterAll(() => emulator?.close());

async function tokens(client: ClientRegistration, scope: string, user: string | number = 0) {
  const { location } = await signInAs(
    authorizeUrl(emulator, { client_id: client.clientId, scope }),
    user,
  );
  const response = await tokenRequest(emulator, {
    grant_type: "authorization_code",
    code: new URL(location).searchParams.get("code")!,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponse;
}

describe("ID token claims", () => {
  it("without optional claims: no login_hint; email only with the email scope", async () => {
    const plain = decodeJwt((await tokens(bare, "openid profile User.Read")).id_token!);
    expect(plain).not.toHaveProperty("login_hint");
    expect(plain).not.toHaveProperty("email");
    expect(plain).toHaveProperty("sid");
    const withEmail = decodeJwt((await tokens(bare, "openid profile email")).id_token!);
    expect(withEmail.email).toBe(emulator.users[0]!.mail);
  });

  it("`profile` brings name, preferred_username and oid", async () => {
    const id = decodeJwt((await tokens(bare, "openid User.Read")).id_token!);
    expect(id).not.toHaveProperty("name");
    expect(id).not.toHaveProperty("preferred_username");
    expect(id).not.toHaveProperty("oid");
    expect(id.sub).toBeTruthy();
  });

  it("the registration's optional claims", async () => {
    const id = decodeJwt((await tokens(claimsApp, "openid profile User.Read", 1)).id_token!);
    const user = emulator.users[1]!;
    expect(id).toMatchObject({
      email: user.mail,
      upn: user.userPrincipalName,
      family_name: user.surname,
      given_name: user.givenName,
      acct: 0,
    });
    expect(typeof id.login_hint).toBe("string");
  });

  it("an optional claim the emulator does not issue is a TypeError at start", async () => {
    await expect(
      createEmulator({
        port: 0,
        clients: [{ ...bare, optionalClaims: { idToken: [{ name: "groups_typo" }] } }],
      }),
    ).rejects.toThrow(/optional claim "groups_typo" in idToken/);
  });
});

describe("access tokens", () => {
  it("an API without requestedAccessTokenVersion gets v1.0 tokens (aud as named, sts issuer)", async () => {
    const access = decodeJwt((await tokens(bare, "api://legacy/Legacy.Read")).access_token);
    expect(access).toMatchObject({
      aud: "api://legacy",
      iss: `https://sts.windows.net/${emulator.tenantId}/`,
      appid: bare.clientId,
      scp: "Legacy.Read",
      upn: emulator.users[0]!.userPrincipalName,
      ver: "1.0",
    });
    const guid = decodeJwt((await tokens(bare, "api://legacy-guid/Legacy.Read")).access_token);
    expect(guid.aud).toBe(guidApi.clientId);
  });

  it("carry every permission consented for the resource, not only those asked (additive)", async () => {
    const user = "ChristieC@contoso.example";
    emulator.consents.grant(user, ["Mail.Read", "api://legacy/Legacy.Write"], bare.clientId);
    const graph = await tokens(bare, "User.ReadBasic.All openid", user);
    // User.Read: the default tenant's admin consent; Mail.Read: the user's earlier consent.
    expect(graph.scope.split(" ").sort()).toEqual(
      ["User.ReadBasic.All", "User.Read", "Mail.Read", "openid", "email"].sort(),
    );
    expect(decodeJwt(graph.access_token).scp).toBe(graph.scope);
    const api = await tokens(bare, "api://legacy/Legacy.Read", user);
    expect(api.scope).toBe("api://legacy/Legacy.Read api://legacy/Legacy.Write");
    expect(decodeJwt(api.access_token).scp).toBe("Legacy.Read Legacy.Write");
  });

  it("Graph's tokens have Graph's header (nonce, x5t): only Graph can verify them", async () => {
    const { access_token, id_token } = await tokens(bare, "openid profile User.Read");
    const header = decodeProtectedHeader(access_token);
    expect(Object.keys(header)).toEqual(["typ", "nonce", "alg", "x5t", "kid"]);
    const jwks = (await (
      await fetch(`${emulator.authority}/discovery/v2.0/keys`)
    ).json()) as JSONWebKeySet;
    // An app validating a Graph token fails, as it does against Entra.
    await expect(jwtVerify(access_token, createLocalJWKSet(jwks))).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(jwtVerify(id_token!, createLocalJWKSet(jwks))).resolves.toBeTruthy();
    const me = await fetch(`${emulator.graphBaseUrl}/me`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(me.status).toBe(200);
  });

  it("live 60 to 90 minutes, varied; a fixed lifetime when the setting is set", async () => {
    const lifetimes = new Set<number>();
    for (let i = 0; i < 4; i += 1) {
      const { expires_in } = await tokens(bare, "openid User.Read");
      expect(expires_in).toBeGreaterThanOrEqual(3600);
      expect(expires_in).toBeLessThanOrEqual(5400);
      lifetimes.add(expires_in);
    }
    expect(lifetimes.size).toBeGreaterThan(1);
    emulator.settings.accessTokenLifetimeSeconds = 600;
    try {
      expect((await tokens(bare, "openid User.Read")).expires_in).toBe(600);
    } finally {
      emulator.settings.accessTokenLifetimeSeconds = undefined;
    }
  });
});
