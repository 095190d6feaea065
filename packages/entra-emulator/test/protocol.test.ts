import { createHash } from "node:crypto";
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, signInAs } from "../src/index.ts";
import {
  authorizeUrl,
  type EntraError,
  type GraphError,
  graphMe,
  pkce,
  redirectUri,
  signInAndRedeem,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
let now: number;
const second = {
  clientId: "00000000-0000-0000-0000-00000000b0f2",
  clientSecret: "dev-only-second-secret",
  redirectUris: ["https://app.example/callback"],
  frontchannelLogoutUri: "https://app.example/frontchannel-logout",
};

beforeEach(async () => {
  now = Date.now();
  emulator = await createEmulator({
    port: 0,
    now: () => now,
    clients: [
      {
        clientId: "00000000-0000-0000-0000-0000000b0ff1",
        clientSecret: "dev-only-emulator-secret",
        redirectUris: [redirectUri],
        frontchannelLogoutUri: "http://localhost:3000/auth/frontchannel-logout",
        // Logout without Entra's account picker needs it (logout_hint).
        optionalClaims: { idToken: [{ name: "login_hint" }] },
      },
      second,
    ],
  });
});
afterEach(() => emulator.close());

const client = () => emulator.clients[0]!;

async function codeFor(params: Record<string, string | undefined> = {}) {
  const { location } = await signInAs(authorizeUrl(emulator, params), 0);
  return new URL(location).searchParams.get("code")!;
}

function redeem(code: string, overrides: Record<string, string | undefined> = {}) {
  return tokenRequest(emulator, {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client().clientId,
    client_secret: client().clientSecret,
    client_info: "1",
    ...overrides,
  });
}

async function expectEntraError(response: Response, status: number, error: string, code: number) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as EntraError;
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  expect(body.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
  return body;
}

describe("discovery and keys", () => {
  it("publishes Entra's metadata: https back channel, http pages", async () => {
    const response = await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: `${emulator.authority}/v2.0`,
      authorization_endpoint: `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/authorize`,
      token_endpoint: `${emulator.authority}/oauth2/v2.0/token`,
      jwks_uri: `${emulator.authority}/discovery/v2.0/keys`,
      end_session_endpoint: `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/logout`,
      frontchannel_logout_supported: true,
      http_logout_supported: true,
      id_token_signing_alg_values_supported: ["RS256"],
      subject_types_supported: ["pairwise"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      token_endpoint_auth_methods_supported: [
        "client_secret_post",
        "private_key_jwt",
        "client_secret_basic",
      ],
    });
    for (const tenant of ["common", "organizations"]) {
      const multi = (await (
        await fetch(`${emulator.url}/${tenant}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(multi.issuer).toBe(`${emulator.url}/{tenantid}/v2.0`);
      expect(multi.token_endpoint).toBe(`${emulator.url}/${tenant}/oauth2/v2.0/token`);
    }
  });

  it("lists the signing key with kid = x5t and the key's certificate", async () => {
    const { keys } = (await (await fetch(`${emulator.authority}/discovery/v2.0/keys`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(Object.keys(key)).toEqual(["kty", "use", "kid", "x5t", "n", "e", "x5c", "issuer"]);
    expect(key).toMatchObject({
      kty: "RSA",
      use: "sig",
      e: "AQAB",
      issuer: `${emulator.authority}/v2.0`,
    });
    const der = Buffer.from((key.x5c as string[])[0]!, "base64");
    expect(key.x5t).toBe(base64url.encode(createHash("sha1").update(der).digest()));
    expect(key.kid).toBe(key.x5t);
    const tokens = await signInAndRedeem(emulator, signInAs);
    expect(decodeProtectedHeader(tokens.id_token!)).toEqual({
      typ: "JWT",
      alg: "RS256",
      kid: key.kid,
    });
  });

  it("answers an unknown tenant with AADSTS90002", async () => {
    const response = await fetch(
      `${emulator.url}/unknown.example/v2.0/.well-known/openid-configuration`,
    );
    await expectEntraError(response, 400, "invalid_tenant", 90002);
  });

  it("names the tenant by its domains too: the initial *.onmicrosoft.com one and its users'", async () => {
    for (const domain of ["contoso.onmicrosoft.com", "Contoso.Example"]) {
      const doc = (await (
        await fetch(`${emulator.url}/${domain}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, string>;
      expect(doc.issuer).toBe(`${emulator.authority}/v2.0`);
      expect(doc.token_endpoint).toBe(`${emulator.authority}/oauth2/v2.0/token`);
    }
  });

  it("serves the same routes over plain http on the same port", async () => {
    const response = await fetch(`${emulator.browserUrl}/${emulator.tenantId}/discovery/v2.0/keys`);
    expect(response.status).toBe(200);
    expect(new URL(emulator.browserUrl).port).toBe(new URL(emulator.url).port);
  });
});

describe("authorize", () => {
  it("never redirects to an unregistered redirect_uri: AADSTS50011 page instead", async () => {
    const response = await fetch(
      authorizeUrl(emulator, { redirect_uri: "https://evil.example/callback" }),
      { redirect: "manual" },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain(
      "AADSTS50011: The redirect URI &#39;https://evil.example/callback&#39; specified in the request does not match",
    );
    await expect(
      signInAs(authorizeUrl(emulator, { redirect_uri: "https://evil.example/callback" }), 0),
    ).rejects.toThrow(/\(400\): AADSTS50011: The redirect URI 'https:\/\/evil.example\/callback'/);
  });

  it("rejects an unknown client_id on a page (AADSTS700016)", async () => {
    const response = await fetch(authorizeUrl(emulator, { client_id: "nope" }), {
      redirect: "manual",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("AADSTS700016");
  });

  it("matches http://localhost redirect URIs on any port, like Entra", async () => {
    const { location } = await signInAs(
      authorizeUrl(emulator, { redirect_uri: "http://localhost:4123/auth/callback" }),
      0,
    );
    expect(location.startsWith("http://localhost:4123/auth/callback?code=")).toBe(true);
    const other = await fetch(
      authorizeUrl(emulator, { redirect_uri: "http://localhost:4123/other" }),
      { redirect: "manual" },
    );
    expect(other.status).toBe(400);
  });

  it("PKCE is optional for a confidential client, S256 or plain, as at Entra", async () => {
    const none = await codeFor({ code_challenge: undefined, code_challenge_method: undefined });
    expect((await redeem(none, { code_verifier: undefined })).status).toBe(200);
    const plain = await codeFor({ code_challenge: pkce.verifier, code_challenge_method: "plain" });
    await expectEntraError(
      await redeem(plain, { code_verifier: "x".repeat(43) }),
      400,
      "invalid_grant",
      501481,
    );
    const plainAgain = await codeFor({
      code_challenge: pkce.verifier,
      code_challenge_method: undefined,
    });
    expect((await redeem(plainAgain)).status).toBe(200);
    // A challenge named: its verifier is then required.
    await expectEntraError(
      await redeem(await codeFor(), { code_verifier: undefined }),
      400,
      "invalid_grant",
      501481,
    );
    const bad = await fetch(authorizeUrl(emulator, { code_challenge_method: "S512" }), {
      redirect: "manual",
    });
    expect(new URL(bad.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });

  it("requirePkce (stricter than Entra): S256 on every request, else invalid_request and the state", async () => {
    const strict = await createEmulator({ port: 0, requirePkce: true });
    try {
      for (const params of [
        { code_challenge: undefined, code_challenge_method: undefined },
        { code_challenge: pkce.verifier, code_challenge_method: "plain" },
      ]) {
        const response = await fetch(authorizeUrl(strict, params), { redirect: "manual" });
        expect(response.status).toBe(302);
        const back = new URL(response.headers.get("location")!);
        expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
        expect(back.searchParams.get("error")).toBe("invalid_request");
        expect(back.searchParams.get("error_description")).toMatch(
          /^AADSTS9002325: .*requirePkce.*\r\nTrace ID: /,
        );
        expect(back.searchParams.get("state")).toBe("state-1");
      }
    } finally {
      await strict.close();
    }
  });

  it("rejects other response types and foreign resources by redirect", async () => {
    // Not enabled for the app ("Access tokens" unchecked): the error comes in the fragment,
    // the default response mode for a token.
    const token = await fetch(authorizeUrl(emulator, { response_type: "token" }), {
      redirect: "manual",
    });
    const fragment = new URLSearchParams(new URL(token.headers.get("location")!).hash.slice(1));
    expect(fragment.get("error")).toBe("unsupported_response_type");
    expect(fragment.get("error_description")).toMatch(/^AADSTS700054: response_type 'token'/);
    const api = await fetch(authorizeUrl(emulator, { scope: "api://other/.default openid" }), {
      redirect: "manual",
    });
    expect(new URL(api.headers.get("location")!).searchParams.get("error")).toBe(
      "invalid_resource",
    );
  });

  it("Cancel returns access_denied (AADSTS65004) with the state", async () => {
    const response = await signInAs(authorizeUrl(emulator, { state: "abc" }), 0, { cancel: true });
    const back = new URL(response.location);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toMatch(/^AADSTS65004: User declined/);
    expect(back.searchParams.get("state")).toBe("abc");
    expect(back.searchParams.has("code")).toBe(false);
  });

  it("redirects with code, client_info, state and session_state", async () => {
    const { location } = await signInAs(
      authorizeUrl(emulator, { state: "xyz" }),
      "AlexW@contoso.example",
    );
    const back = new URL(location);
    expect([...back.searchParams.keys()]).toEqual([
      "code",
      "client_info",
      "state",
      "session_state",
    ]);
    expect(
      JSON.parse(Buffer.from(back.searchParams.get("client_info")!, "base64url").toString()),
    ).toEqual({
      uid: emulator.users[1]!.oid,
      utid: emulator.tenantId,
    });
  });

  it("a sign-in form can be submitted once", async () => {
    const page = await (await fetch(authorizeUrl(emulator, {}))).text();
    const transaction = /name="transaction" value="([^"]+)"/.exec(page)![1]!;
    const post = () =>
      fetch(`${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/authorize`, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ transaction, login: "AdeleV@contoso.example" }),
      });
    expect((await post()).status).toBe(302);
    const again = await post();
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("AADSTS90015");
  });

  it("prompt=none: a code from the emulator session, else login_required", async () => {
    const none = await fetch(authorizeUrl(emulator, { prompt: "none" }), { redirect: "manual" });
    expect(new URL(none.headers.get("location")!).searchParams.get("error")).toBe("login_required");
    const first = await signInAs(authorizeUrl(emulator, {}), 1);
    expect(first.cookie).toMatch(/^entra_emulator_sid=/);
    const silent = await signInAs(authorizeUrl(emulator, { prompt: "none" }), 0, {
      cookie: first.cookie!,
    });
    expect(new URL(silent.location).searchParams.get("code")).toBeTruthy();
  });
});

describe("token: authorization_code", () => {
  it("answers in Entra's key order with no-store caching", async () => {
    const response = await redeem(await codeFor({ nonce: "n-1" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store, no-cache");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = (await response.json()) as TokenResponse;
    expect(Object.keys(body)).toEqual([
      "token_type",
      "scope",
      "expires_in",
      "ext_expires_in",
      "access_token",
      "refresh_token",
      "id_token",
      "client_info",
    ]);
    expect(body.token_type).toBe("Bearer");
    expect(body.scope).toBe("openid profile User.Read email");
    // Entra's default lifetime: a random 60 to 90 minutes.
    expect(body.expires_in).toBeGreaterThanOrEqual(3600);
    expect(body.expires_in).toBeLessThanOrEqual(5400);
    expect(body.ext_expires_in).toBe(body.expires_in);

    const id = decodeJwt(body.id_token!);
    expect(Object.keys(id).sort()).toEqual(
      [
        "aud",
        "iss",
        "iat",
        "nbf",
        "exp",
        "aio",
        "login_hint",
        "name",
        "nonce",
        "oid",
        "preferred_username",
        "rh",
        "sid",
        "sub",
        "tid",
        "uti",
        "ver",
      ].sort(),
    );
    expect(id).toMatchObject({
      aud: client().clientId,
      iss: `${emulator.authority}/v2.0`,
      nonce: "n-1",
      oid: emulator.users[0]!.oid,
      preferred_username: "AdeleV@contoso.example",
      tid: emulator.tenantId,
      ver: "2.0",
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + 3600,
    });
    const access = decodeJwt(body.access_token);
    expect(access).toMatchObject({
      aud: "00000003-0000-0000-c000-000000000000",
      scp: "openid profile User.Read email",
      oid: emulator.users[0]!.oid,
      tid: emulator.tenantId,
      appid: client().clientId,
    });
    expect(access).not.toHaveProperty("xms_cc");
  });

  it("leaves nonce out of the ID token when the authorize request had none", async () => {
    const body = (await (
      await redeem(await codeFor({ nonce: undefined }))
    ).json()) as TokenResponse;
    expect(decodeJwt(body.id_token!)).not.toHaveProperty("nonce");
  });

  it("gives each app its own pairwise sub", async () => {
    const mine = decodeJwt(
      ((await (await redeem(await codeFor())).json()) as TokenResponse).id_token!,
    );
    const { location } = await signInAs(
      authorizeUrl(emulator, { client_id: second.clientId, redirect_uri: second.redirectUris[0] }),
      0,
    );
    const theirs = await tokenRequest(emulator, {
      grant_type: "authorization_code",
      code: new URL(location).searchParams.get("code")!,
      redirect_uri: second.redirectUris[0],
      code_verifier: pkce.verifier,
      client_id: second.clientId,
      client_secret: second.clientSecret,
    });
    const other = decodeJwt(((await theirs.json()) as TokenResponse).id_token!);
    expect(other.oid).toBe(mine.oid);
    expect(other.sub).not.toBe(mine.sub);
  });

  it("accepts client_secret_basic (form-encoded id and secret)", async () => {
    const basic = (secret: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(client().clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;
    const params = {
      grant_type: "authorization_code",
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
    };
    const code = await codeFor();
    const wrong = await tokenRequest(
      emulator,
      { ...params, code },
      { headers: { authorization: basic("dev-only-wrong") } },
    );
    await expectEntraError(wrong, 401, "invalid_client", 7000215);
    const ok = await tokenRequest(
      emulator,
      { ...params, code },
      { headers: { authorization: basic(client().clientSecret!) } },
    );
    expect(ok.status).toBe(200);
  });

  it("wrong secret → 401 invalid_client AADSTS7000215; none → AADSTS7000218", async () => {
    const code = await codeFor();
    const wrong = await redeem(code, { client_secret: "dev-only-wrong" });
    expect(wrong.headers.get("cache-control")).toMatch(/no-store/);
    await expectEntraError(wrong, 401, "invalid_client", 7000215);
    await expectEntraError(
      await redeem(code, { client_secret: undefined }),
      401,
      "invalid_client",
      7000218,
    );
    await expectEntraError(
      await redeem(code, { client_id: "unknown" }),
      400,
      "unauthorized_client",
      700016,
    );
    // Failed client authentication does not spend the code.
    expect((await redeem(code)).status).toBe(200);
  });

  it("a bad PKCE verifier → invalid_grant AADSTS501481", async () => {
    const response = await redeem(await codeFor(), { code_verifier: "x".repeat(43) });
    await expectEntraError(response, 400, "invalid_grant", 501481);
    const missing = await redeem(await codeFor(), { code_verifier: undefined });
    await expectEntraError(missing, 400, "invalid_grant", 501481);
  });

  it("a replayed code → invalid_grant AADSTS54005", async () => {
    const code = await codeFor();
    expect((await redeem(code)).status).toBe(200);
    await expectEntraError(await redeem(code), 400, "invalid_grant", 54005);
  });

  it("a different redirect_uri → invalid_grant AADSTS500112", async () => {
    const response = await redeem(await codeFor(), {
      redirect_uri: "http://localhost:9999/auth/callback",
    });
    await expectEntraError(response, 400, "invalid_grant", 500112);
  });

  it("codes expire after 10 minutes → AADSTS70008", async () => {
    const code = await codeFor();
    now += 10 * 60_000 + 1;
    await expectEntraError(await redeem(code), 400, "invalid_grant", 70008);
  });

  it("requires grant_type, and rejects others", async () => {
    await expectEntraError(await tokenRequest(emulator, {}), 400, "invalid_request", 900144);
    const other = await tokenRequest(emulator, {
      grant_type: "password",
      client_id: client().clientId,
      client_secret: client().clientSecret,
    });
    await expectEntraError(other, 400, "unsupported_grant_type", 70003);
  });

  it("puts xms_cc in the access token when the client declared CP1 via claims", async () => {
    const claims = JSON.stringify({ access_token: { xms_cc: { values: ["CP1"] } } });
    const body = (await (await redeem(await codeFor({ claims }))).json()) as TokenResponse;
    expect(decodeJwt(body.access_token).xms_cc).toEqual(["CP1"]);
  });
});

describe("token: refresh_token", () => {
  function refresh(refreshToken: string, as = client()) {
    return tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: as.clientId,
      client_secret: as.clientSecret,
    });
  }

  it("rotates: a new refresh token, and the old one keeps working like Entra's", async () => {
    const first = await signInAndRedeem(emulator, signInAs);
    const second = (await (await refresh(first.refresh_token!)).json()) as TokenResponse;
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.id_token!)).not.toHaveProperty("nonce");
    expect((await refresh(first.refresh_token!)).status).toBe(200);
    expect((await refresh(second.refresh_token!)).status).toBe(200);
  });

  it("is bound to its client", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    await expectEntraError(
      await refresh(tokens.refresh_token!, second),
      400,
      "invalid_grant",
      70000,
    );
    await expectEntraError(await refresh("garbage"), 400, "invalid_grant", 9002313);
  });

  it("expires after 90 days without use → AADSTS700082", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    now += 91 * 86_400_000;
    await expectEntraError(await refresh(tokens.refresh_token!), 400, "invalid_grant", 700082);
  });

  it("a scope for a resource the emulator does not host → invalid_resource AADSTS500011", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    const response = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      scope: "api://other-app/read offline_access",
      client_id: client().clientId,
      client_secret: client().clientSecret,
    });
    await expectEntraError(response, 400, "invalid_resource", 500011);
  });
});

describe("Graph /v1.0/me rejects bad tokens with Graph's 401", () => {
  async function expectGraph401(response: Response, message: RegExp) {
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer realm="", authorization_uri="${emulator.browserUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    );
    const body = (await response.json()) as GraphError;
    expect(body.error.code).toBe("InvalidAuthenticationToken");
    expect(body.error.message).toMatch(message);
    expect(Object.keys(body.error.innerError)).toEqual(["date", "request-id", "client-request-id"]);
  }

  it("no token", async () => {
    await expectGraph401(await graphMe(emulator, undefined), /^Access token is empty\.$/);
  });

  it("an expired token (by the emulator's clock, past the 5 minute skew)", async () => {
    emulator.settings.accessTokenLifetimeSeconds = 60;
    const tokens = await signInAndRedeem(emulator, signInAs);
    now += 60_000 + 300_000 + 1000;
    await expectGraph401(await graphMe(emulator, tokens.access_token), /token is expired/);
  });

  it("a forged token (signed by another key)", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    const { privateKey } = await generateKeyPair("RS256");
    const claims = decodeJwt(tokens.access_token);
    const forged = await new SignJWT(claims)
      .setProtectedHeader(decodeProtectedHeader(tokens.access_token) as { alg: string })
      .sign(privateKey);
    await expectGraph401(await graphMe(emulator, forged), /Signature is invalid/);
  });

  it("a token for another audience (the ID token)", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    await expectGraph401(await graphMe(emulator, tokens.id_token), /^Invalid audience\.$/);
  });
});

describe("logout", () => {
  const logoutUrl = (params: Record<string, string>) =>
    `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/logout?${new URLSearchParams(params)}`;

  it("ends the session named by logout_hint, loads front-channel logout, returns to a registered origin", async () => {
    const signIn = await signInAs(authorizeUrl(emulator, {}), 0);
    const code = new URL(signIn.location).searchParams.get("code")!;
    const sid = new URL(signIn.location).searchParams.get("session_state");
    const tokens = (await (await redeem(code)).json()) as TokenResponse;
    const hint = decodeJwt(tokens.id_token!).login_hint as string;

    const response = await fetch(
      logoutUrl({ post_logout_redirect_uri: "http://localhost:3000/", logout_hint: hint }),
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("You signed out of your account");
    expect(html).toContain(
      `<iframe src="http://localhost:3000/auth/frontchannel-logout?sid=${sid}"`,
    );
    expect(html).toContain('<a id="continue" href="http://localhost:3000/">');

    // The emulator session is gone: a silent sign-in with its cookie now needs a login.
    const silent = await fetch(authorizeUrl(emulator, { prompt: "none" }), {
      redirect: "manual",
      headers: { cookie: signIn.cookie! },
    });
    expect(new URL(silent.headers.get("location")!).searchParams.get("error")).toBe(
      "login_required",
    );
  });

  it("does not offer a post_logout_redirect_uri no app registered", async () => {
    const html = await (
      await fetch(logoutUrl({ post_logout_redirect_uri: "https://evil.example/" }))
    ).text();
    expect(html).toContain("You signed out of your account");
    expect(html).not.toContain("evil.example");
  });
});
