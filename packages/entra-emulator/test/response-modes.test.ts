// What /authorize answers and how: response_type (the registration's "ID tokens" and
// "Access tokens" settings) and response_mode (query, fragment, form_post), as Entra does.
import { createHash } from "node:crypto";
import { base64url, decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientRegistration, createEmulator, type Emulator, signInAs } from "../src/index.ts";
import { authorizeUrl, type EntraError, pkce, redirectUri, tokenRequest } from "./helpers.ts";

const plain: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-00000000a001",
  clientSecret: "dev-only-plain-secret",
  redirectUris: [redirectUri],
};
const implicit: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-00000000a002",
  clientSecret: "dev-only-implicit-secret",
  redirectUris: [redirectUri],
  implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: true },
};

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({ port: 0, clients: [plain, implicit] });
});
afterAll(() => emulator?.close());

const fragmentOf = (location: string) =>
  Object.fromEntries(new URLSearchParams(new URL(location).hash.slice(1)));
const halfHash = (value: string) =>
  base64url.encode(createHash("sha256").update(value).digest().subarray(0, 16));

async function answer(params: Record<string, string | undefined>, client = implicit) {
  const response = await fetch(authorizeUrl(emulator, { client_id: client.clientId, ...params }), {
    redirect: "manual",
  });
  return response;
}

describe("response_mode", () => {
  it("form_post: a page that posts the code, state and session_state to the redirect URI", async () => {
    const result = await signInAs(
      authorizeUrl(emulator, { client_id: plain.clientId, response_mode: "form_post" }),
      0,
    );
    expect(result.location).toBe(redirectUri);
    expect(Object.keys(result.form!)).toEqual(["code", "client_info", "state", "session_state"]);
    const redeemed = await tokenRequest(emulator, {
      grant_type: "authorization_code",
      code: result.form!.code,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
      client_id: plain.clientId,
      client_secret: plain.clientSecret,
    });
    expect(redeemed.status).toBe(200);
  });

  it("form_post page: only its own script runs, nothing frames it, nothing caches it", async () => {
    const page = await fetch(
      authorizeUrl(emulator, {
        client_id: plain.clientId,
        response_mode: "form_post",
        prompt: "none",
      }),
    );
    // prompt=none without a session: the error is posted back too.
    const html = await page.text();
    expect(html).toContain(
      `<form method="post" action="${redirectUri}" data-response-mode="form_post">`,
    );
    expect(html).toContain('name="error" value="login_required"');
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("fragment: the answer after #, never in the query", async () => {
    const { location } = await signInAs(
      authorizeUrl(emulator, { client_id: plain.clientId, response_mode: "fragment" }),
      0,
    );
    expect(new URL(location).search).toBe("");
    expect(fragmentOf(location).code).toBeTruthy();
  });

  it("an unknown response_mode is refused", async () => {
    const response = await answer({ response_mode: "web_message" });
    expect(new URL(response.headers.get("location")!).searchParams.get("error")).toBe(
      "invalid_request",
    );
  });
});

describe("response_type", () => {
  it("id_token needs the registration's ID tokens setting (AADSTS700054)", async () => {
    const response = await answer(
      { response_type: "id_token", response_mode: "form_post", nonce: "n", scope: "openid" },
      plain,
    );
    const html = await response.text();
    expect(html).toContain('name="error" value="unsupported_response_type"');
    expect(html).toContain("AADSTS700054: response_type &#39;id_token&#39; is not enabled");
  });

  it("id_token (implicit): an ID token bound to the nonce, by fragment by default", async () => {
    const { location } = await signInAs(
      authorizeUrl(emulator, {
        client_id: implicit.clientId,
        response_type: "id_token",
        scope: "openid profile",
        nonce: "n-42",
        code_challenge: undefined,
        code_challenge_method: undefined,
      }),
      1,
    );
    const params = fragmentOf(location);
    expect(params.code).toBeUndefined();
    expect(decodeJwt(params.id_token!)).toMatchObject({
      aud: implicit.clientId,
      nonce: "n-42",
      preferred_username: emulator.users[1]!.userPrincipalName,
    });
  });

  it("code id_token (hybrid): c_hash binds the ID token to the code", async () => {
    const { location } = await signInAs(
      authorizeUrl(emulator, {
        client_id: implicit.clientId,
        response_type: "code id_token",
        scope: "openid profile offline_access User.Read",
        nonce: "n-1",
      }),
      0,
    );
    const params = fragmentOf(location);
    expect(decodeJwt(params.id_token!).c_hash).toBe(halfHash(params.code!));
  });

  it("id_token token: an access token with at_hash, scope and expires_in", async () => {
    const { location } = await signInAs(
      authorizeUrl(emulator, {
        client_id: implicit.clientId,
        response_type: "id_token token",
        scope: "openid profile User.Read",
        nonce: "n-1",
      }),
      0,
    );
    const params = fragmentOf(location);
    expect(params).toMatchObject({ token_type: "Bearer", scope: "openid profile User.Read email" });
    expect(Number(params.expires_in)).toBeGreaterThanOrEqual(3600);
    expect(decodeJwt(params.id_token!).at_hash).toBe(halfHash(params.access_token!));
    const me = await fetch(`${emulator.graphBaseUrl}/me`, {
      headers: { authorization: `Bearer ${params.access_token}` },
    });
    expect(me.status).toBe(200);
  });

  it("a token in the query is refused (AADSTS70007); an ID token needs a nonce and openid", async () => {
    const query = await answer({ response_type: "id_token", response_mode: "query", nonce: "n" });
    const error = new URL(query.headers.get("location")!).searchParams;
    expect(error.get("error_description")).toMatch(/^AADSTS70007: 'query' is not a supported/);
    const noNonce = await answer({ response_type: "id_token", scope: "openid" });
    expect(fragmentOf(noNonce.headers.get("location")!).error_description).toMatch(
      /^AADSTS900144: .*'nonce'/,
    );
    const noOpenid = await answer({ response_type: "id_token", scope: "User.Read", nonce: "n" });
    expect(fragmentOf(noOpenid.headers.get("location")!).error).toBe("invalid_scope");
  });

  it("client_info comes back only when asked (client_info=1), at /authorize and /token", async () => {
    const { location } = await signInAs(
      authorizeUrl(emulator, { client_id: plain.clientId, client_info: undefined }),
      0,
    );
    const params = new URL(location).searchParams;
    expect(params.has("client_info")).toBe(false);
    const body = (await (
      await tokenRequest(emulator, {
        grant_type: "authorization_code",
        code: params.get("code")!,
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
        client_id: plain.clientId,
        client_secret: plain.clientSecret,
      })
    ).json()) as Record<string, unknown> & Partial<EntraError>;
    expect(body).not.toHaveProperty("client_info");
    expect(body.access_token).toBeTruthy();
  });
});
