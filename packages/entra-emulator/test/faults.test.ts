import * as msal from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, signInAs } from "../src/index.ts";
import {
  beginSignIn,
  callbackParams,
  type EntraError,
  type GraphError,
  graphMe,
  msalClient,
  redirectUri,
  signInAndRedeem,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
beforeEach(async () => {
  emulator = await createEmulator({ port: 0 });
});
afterEach(() => emulator.close());

function refresh(refreshToken: string) {
  const client = emulator.clients[0]!;
  return tokenRequest(emulator, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    scope: "User.Read openid profile offline_access",
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
}

describe("token endpoint faults, as a client receives them", () => {
  const cases = [
    {
      kind: "invalid_grant",
      error: "invalid_grant",
      status: 400,
      code: 700082,
      suberror: undefined,
    },
    {
      kind: "interaction_required",
      error: "interaction_required",
      status: 400,
      code: 50076,
      suberror: "basic_action",
    },
    // Entra's token endpoint: invalid_grant, with the consent_required suberror.
    {
      kind: "consent_required",
      error: "invalid_grant",
      status: 400,
      code: 65001,
      suberror: "consent_required",
    },
    {
      kind: "temporarily_unavailable",
      error: "temporarily_unavailable",
      status: 503,
      code: 90033,
      suberror: undefined,
    },
    { kind: "server_error", error: "server_error", status: 500, code: 50000, suberror: undefined },
  ] as const;

  for (const { kind, error, status, code, suberror } of cases) {
    it(`${kind}: HTTP ${status}, AADSTS${code} in Entra's JSON shape`, async () => {
      const tokens = await signInAndRedeem(emulator, signInAs);
      emulator.faults.add({ target: "token", kind, times: 1 });
      const response = await refresh(tokens.refresh_token!);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("cache-control")).toMatch(/no-store/);
      const body = (await response.json()) as EntraError;
      expect(body.error).toBe(error);
      expect(body.error_codes).toEqual([code]);
      expect(body.error_description).toMatch(
        new RegExp(
          `^AADSTS${code}: .+\\r\\nTrace ID: ${body.trace_id}\\r\\nCorrelation ID: ${body.correlation_id}\\r\\nTimestamp: ${body.timestamp}$`,
        ),
      );
      expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      expect(body.suberror).toBe(suberror);
      if (kind === "interaction_required")
        expect(JSON.parse(body.claims!)).toHaveProperty("access_token");
      // times: 1 — the next request succeeds.
      expect((await refresh(tokens.refresh_token!)).status).toBe(200);
    });
  }

  it("applies only to the named grant type, and until cleared when times is omitted", async () => {
    emulator.faults.add({ target: "token", kind: "invalid_grant", grantType: "refresh_token" });
    const tokens = await signInAndRedeem(emulator, signInAs);
    expect(tokens.access_token).toBeTruthy();
    expect((await refresh(tokens.refresh_token!)).status).toBe(400);
    expect((await refresh(tokens.refresh_token!)).status).toBe(400);
    emulator.faults.clear();
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });

  it("echoes the client-request-id as correlation_id", async () => {
    emulator.faults.add({ target: "token", kind: "server_error" });
    const response = await tokenRequest(
      emulator,
      {
        grant_type: "refresh_token",
        refresh_token: "x",
        client_id: emulator.clients[0]!.clientId,
        client_secret: emulator.clients[0]!.clientSecret,
      },
      { headers: { "client-request-id": "11111111-2222-3333-4444-555555555555" } },
    );
    expect(((await response.json()) as EntraError).correlation_id).toBe(
      "11111111-2222-3333-4444-555555555555",
    );
  });
});

describe("token endpoint faults through msal-node's error classes", () => {
  async function signedInClient() {
    const cca = msalClient(emulator);
    const signIn = await beginSignIn(cca);
    const params = callbackParams((await signInAs(signIn.url, 0)).location);
    const result = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: signIn.scopes,
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    return { cca, account: result.account! };
  }

  it("interaction_required → InteractionRequiredAuthError with the claims", async () => {
    const { cca, account } = await signedInClient();
    emulator.faults.add({
      target: "token",
      kind: "interaction_required",
      grantType: "refresh_token",
    });
    const error = await cca
      .acquireTokenSilent({ account, scopes: ["User.Read"], forceRefresh: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(msal.InteractionRequiredAuthError);
    const interaction = error as msal.InteractionRequiredAuthError;
    expect(interaction.errorCode).toBe("interaction_required");
    expect(interaction.subError).toBe("basic_action");
    expect(interaction.errorMessage).toMatch(/^AADSTS50076:/);
    expect(JSON.parse(interaction.claims)).toHaveProperty("access_token");
  });

  it("consent_required → InteractionRequiredAuthError", async () => {
    const { cca, account } = await signedInClient();
    emulator.faults.add({ target: "token", kind: "consent_required" });
    const error = await cca
      .acquireTokenSilent({ account, scopes: ["User.Read"], forceRefresh: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(msal.InteractionRequiredAuthError);
    const interaction = error as msal.InteractionRequiredAuthError;
    expect(interaction.errorCode).toBe("invalid_grant");
    expect(interaction.subError).toBe("consent_required");
    expect(interaction.errorMessage).toMatch(/^AADSTS65001:/);
  });

  it("invalid_grant (AADSTS700082) → a plain ServerError", async () => {
    const { cca, account } = await signedInClient();
    emulator.faults.add({ target: "token", kind: "invalid_grant" });
    const error = await cca
      .acquireTokenSilent({ account, scopes: ["User.Read"], forceRefresh: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(msal.ServerError);
    expect(error).not.toBeInstanceOf(msal.InteractionRequiredAuthError);
    expect((error as msal.ServerError).errorCode).toBe("invalid_grant");
    expect((error as msal.ServerError).errorMessage).toMatch(
      /AADSTS700082: The refresh token has expired/,
    );
  });

  it("server_error on the code redemption → ServerError", async () => {
    const cca = msalClient(emulator);
    const signIn = await beginSignIn(cca);
    const params = callbackParams((await signInAs(signIn.url, 0)).location);
    emulator.faults.add({ target: "token", kind: "server_error", grantType: "authorization_code" });
    const error = await cca
      .acquireTokenByCode({
        code: params.code!,
        scopes: signIn.scopes,
        redirectUri,
        codeVerifier: signIn.verifier,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(msal.ServerError);
    expect((error as msal.ServerError).errorCode).toBe("server_error");
  });
});

describe("Graph faults", () => {
  it("throttled → 429 with Retry-After and Graph's TooManyRequests error", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    emulator.faults.add({ target: "graph", kind: "throttled", retryAfterSeconds: 7, times: 1 });
    const response = await graphMe(emulator, tokens.access_token);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    const body = (await response.json()) as GraphError;
    expect(body.error.code).toBe("TooManyRequests");
    expect(body.error.innerError["request-id"]).toBe(response.headers.get("request-id"));
    expect((await graphMe(emulator, tokens.access_token)).status).toBe(200);
  });

  it("claims_challenge → 401 with a CAE insufficient_claims challenge", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    emulator.faults.add({ target: "graph", kind: "claims_challenge", times: 1 });
    const response = await graphMe(emulator, tokens.access_token);
    expect(response.status).toBe(401);
    const header = response.headers.get("www-authenticate")!;
    expect(header).toMatch(
      new RegExp(
        `^Bearer realm="", authorization_uri="${emulator.browserUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="[A-Za-z0-9+/=]+"$`,
      ),
    );
    const claims = JSON.parse(
      Buffer.from(/claims="([^"]+)"/.exec(header)![1]!, "base64").toString(),
    );
    expect(claims).toEqual({
      access_token: { nbf: { essential: true, value: expect.stringMatching(/^\d+$/) } },
    });
    expect(((await response.json()) as GraphError).error.code).toBe("InvalidAuthenticationToken");
  });

  it("claims_challenge carries custom claims; renewal with them adds xms_cc for CP1 clients", async () => {
    const custom = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
    emulator.faults.add({ target: "graph", kind: "claims_challenge", claims: custom, times: 1 });
    const tokens = await signInAndRedeem(emulator, signInAs, {
      claims: JSON.stringify({ access_token: { xms_cc: { values: ["CP1"] } } }),
    });
    expect(decodeJwt(tokens.access_token).xms_cc).toEqual(["CP1"]);
    const header = (await graphMe(emulator, tokens.access_token)).headers.get("www-authenticate")!;
    const claims = Buffer.from(/claims="([^"]+)"/.exec(header)![1]!, "base64").toString();
    expect(claims).toBe(custom);
  });

  it("server_error → 500 with Graph's error shape", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    emulator.faults.add({ target: "graph", kind: "server_error", times: 1 });
    const response = await graphMe(emulator, tokens.access_token);
    expect(response.status).toBe(500);
    expect(((await response.json()) as GraphError).error.code).toBe("generalException");
  });

  it("unauthorized → 401 InvalidAuthenticationToken even for a good token", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    emulator.faults.add({ target: "graph", kind: "unauthorized", times: 1 });
    const response = await graphMe(emulator, tokens.access_token);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm=""/);
    expect(((await response.json()) as GraphError).error.code).toBe("InvalidAuthenticationToken");
  });
});

describe("delays and hangs", () => {
  it("holds a response for ms", async () => {
    emulator.faults.add({ target: "keys", kind: "delay", ms: 150, times: 1 });
    const started = performance.now();
    const response = await fetch(`${emulator.authority}/discovery/v2.0/keys`);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("a hanging endpoint: the client's timeout fires, and close() does not wait for it", async () => {
    emulator.faults.add({ target: "token", kind: "delay", ms: 3_600_000 });
    const timedOut = await tokenRequest(
      emulator,
      { grant_type: "refresh_token" },
      {
        signal: AbortSignal.timeout(200),
      },
    ).catch((e: unknown) => e);
    expect((timedOut as Error).name).toBe("TimeoutError");

    const hanging = fetch(`${emulator.authority}/oauth2/v2.0/token`, { method: "POST" }).catch(
      (e: unknown) => e,
    );
    // The request must be in flight before closing: wait for the TLS connection's response
    // headers never to come, by letting the event loop reach the server first.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hanging).toBeInstanceOf(TypeError); // fetch failed: socket closed
  });
});

describe("short token lifetimes", () => {
  it("settings.accessTokenLifetimeSeconds sets expires_in and exp", async () => {
    emulator.settings.accessTokenLifetimeSeconds = 5;
    const tokens = await signInAndRedeem(emulator, signInAs);
    expect(tokens.expires_in).toBe(5);
    expect(tokens.ext_expires_in).toBe(5);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.exp! - claims.iat!).toBe(5);
  });
});

describe("admin API", () => {
  it("adds and clears faults and changes settings over HTTP", async () => {
    const added = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "graph", kind: "throttled", retryAfterSeconds: 3 }),
    });
    expect(added.status).toBe(201);
    const tokens = await signInAndRedeem(emulator, signInAs);
    expect((await graphMe(emulator, tokens.access_token)).status).toBe(429);
    expect((await fetch(`${emulator.url}/_emulator/faults`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect((await graphMe(emulator, tokens.access_token)).status).toBe(200);

    const patched = await fetch(`${emulator.browserUrl}/_emulator/settings`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accessTokenLifetimeSeconds: 42 }),
    });
    expect(await patched.json()).toEqual({
      accessTokenLifetimeSeconds: 42,
      deviceCodeIntervalSeconds: 5,
    });
    expect(emulator.settings.accessTokenLifetimeSeconds).toBe(42);
    const again: TokenResponse = await signInAndRedeem(emulator, signInAs);
    expect(again.expires_in).toBe(42);
  });

  it("rejects a malformed fault with a message naming the field", async () => {
    const response = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "graph", kind: "invalid_grant" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: "invalid_fault",
      message:
        'fault.kind for target "graph" must be one of server_error, unauthorized, throttled, claims_challenge, delay, large_body',
    });
    expect(() => emulator.faults.add({ target: "token", kind: "delay" } as never)).toThrow(
      TypeError,
    );
  });

  it("is absent when disabled", async () => {
    const locked = await createEmulator({ port: 0, adminApi: false });
    try {
      const response = await fetch(`${locked.url}/_emulator/faults`, { method: "DELETE" });
      expect(response.status).toBe(404);
    } finally {
      await locked.close();
    }
  });
});
