import { signInAs } from "@entra-bff/entra-emulator";
import { describe, expect, it } from "vitest";
import {
  CookieJar,
  followCallback,
  json,
  signIn,
  startBff,
  testClock,
  useEmulatorAndBff,
} from "../helpers/bff.ts";
import { setCookies } from "../helpers/cookie-jar.ts";

const servers = useEmulatorAndBff();

const authError = (response: { headers: Record<string, unknown> }) =>
  new URL(String(response.headers.location)).searchParams.get("authError");

async function startLogin(jar: CookieJar, returnTo = "/") {
  const login = await servers.bff.request(jar, {
    url: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
  });
  expect(login.statusCode).toBe(302);
  return String(login.headers.location);
}

describe("GET /auth/login", () => {
  it("redirects to the authorize endpoint with PKCE S256, state, nonce and the redirect URI", async () => {
    const jar = new CookieJar();
    const authorize = new URL(await startLogin(jar));
    expect(authorize.origin).toBe(servers.emulator.browserUrl);
    const params = authorize.searchParams;
    expect(params.get("response_type")).toBe("code");
    expect(params.get("client_id")).toBe(servers.bff.config.clientId);
    expect(params.get("redirect_uri")).toBe("http://localhost:3000/auth/callback");
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(params.get("state")).toMatch(/^[\w-]{43}$/);
    expect(params.get("nonce")).toMatch(/^[\w-]{43}$/);
    expect(params.get("scope")?.split(" ")).toEqual(
      expect.arrayContaining(["User.Read", "openid", "offline_access"]),
    );
    // The transaction cookie: one, named by the state, Lax so the cross-site return carries it.
    const [tx] = jar.names();
    expect(jar.names()).toHaveLength(1);
    expect(tx).toBe(`bff-tx-${params.get("state")!.slice(0, 8)}`);
  });

  it("sends the transaction cookie HttpOnly, SameSite=Lax, for 10 minutes", async () => {
    const response = await servers.bff.app.inject({ url: "/auth/login" });
    const [cookie] = setCookies(response);
    expect(cookie?.attributes.get("httponly")).toBe(true);
    expect(cookie?.attributes.get("samesite")).toBe("Lax");
    expect(cookie?.attributes.get("path")).toBe("/");
    expect(cookie?.attributes.get("max-age")).toBe("600");
    expect(response.headers["cache-control"]).toBe("no-store");
  });
});

describe("sign-in end to end", () => {
  it("signs the user in and lands on returnTo with a session", async () => {
    const jar = new CookieJar();
    const callback = await signIn(servers.bff, jar, 0, "/profile?tab=phones");
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe("http://localhost:3000/profile?tab=phones");
    // The transaction is gone; identity and token cookies are set.
    expect(jar.names()).toEqual(["bff-session", "bff-token-0"]);

    const session = await servers.bff.request(jar, { url: "/auth/session" });
    expect(session.statusCode).toBe(200);
    const user = servers.emulator.users[0]!;
    const roles = servers.emulator.clients[0]!.roleAssignments?.[user.userPrincipalName] ?? [];
    expect(json(session)).toEqual({
      authenticated: true,
      user: {
        name: user.displayName,
        username: user.userPrincipalName,
        oid: user.oid,
        tenantId: servers.emulator.tenantId,
        // The app roles Entra assigned this user in the app's registration.
        ...(roles.length > 0 ? { roles } : {}),
      },
      expiresAt: new Date(servers.bff.clock.now + 120 * 60_000).toISOString(),
    });
  });

  it("answers /auth/session without a session", async () => {
    const response = await servers.bff.request(new CookieJar(), { url: "/auth/session" });
    expect(json(response)).toEqual({ authenticated: false });
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  it("keeps several tabs' sign-ins apart", async () => {
    const jar = new CookieJar();
    const first = await startLogin(jar, "/first");
    const second = await startLogin(jar, "/second");
    expect(jar.names()).toHaveLength(2);
    // Finish them in the opposite order: each still finds its own transaction.
    const secondCallback = await followCallback(
      servers.bff,
      jar,
      (await signInAs(second, 1)).location,
    );
    expect(secondCallback.headers.location).toBe("http://localhost:3000/second");
    const firstCallback = await followCallback(
      servers.bff,
      jar,
      (await signInAs(first, 0)).location,
    );
    expect(firstCallback.headers.location).toBe("http://localhost:3000/first");
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toMatchObject({
      user: { oid: servers.emulator.users[0]!.oid },
    });
  });

  it("keeps at most three pending transactions, dropping the oldest", async () => {
    const jar = new CookieJar();
    const urls: string[] = [];
    for (let i = 0; i < 6; i++) {
      urls.push(await startLogin(jar, `/tab-${i}`));
      servers.bff.clock.advance(1000);
    }
    expect(jar.names()).toHaveLength(3);
    const oldest = await followCallback(servers.bff, jar, (await signInAs(urls[0]!, 0)).location);
    expect(authError(oldest)).toBe("state_mismatch");
    const newest = await followCallback(servers.bff, jar, (await signInAs(urls[5]!, 0)).location);
    expect(newest.headers.location).toBe("http://localhost:3000/tab-5");
  });

  it("never lets hostile returnTo values or repeated sign-ins push the headers toward 431", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    for (let i = 0; i < 6; i++) {
      const login = await servers.bff.request(jar, {
        url: `/auth/login?returnTo=${encodeURIComponent(`/${"é".repeat(169)}${i}`)}`,
      });
      expect(login.statusCode).toBe(302);
      servers.bff.clock.advance(1000);
    }
    const cookieHeader = jar.headers().cookie ?? "";
    expect(jar.names().filter((name) => name.startsWith("bff-tx-"))).toHaveLength(3);
    // Three of the largest transactions beside a session: far below 16 KB.
    expect(cookieHeader.length).toBeLessThan(10 * 1024);
    servers.bff.clock.advance(-6000);
  });

  it("ignores a claims parameter that is not a claims request, and never answers 500", async () => {
    for (const claims of [
      { access_token: null },
      { access_token: "x" },
      { id_token: 1 },
      { access_token: [] },
      { evil: {} },
      {},
    ]) {
      const value = Buffer.from(JSON.stringify(claims)).toString("base64url");
      const login = await servers.bff.request(new CookieJar(), {
        url: `/auth/login?claims=${value}`,
      });
      expect(login.statusCode, JSON.stringify(claims)).toBe(302);
      const sent = JSON.parse(
        new URL(String(login.headers.location)).searchParams.get("claims") ?? "{}",
      );
      // Only MSAL's own claims request (CP1) goes to Entra.
      expect(Object.keys(sent).sort()).toEqual(["access_token", "id_token"]);
      expect(JSON.stringify(sent)).not.toContain("evil");
    }
  });

  it("ends the session a new sign-in replaces: its cookies, re-set by a late response, are refused", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    // What a slow /api/me response of the first session would set after the second sign-in.
    const late = jar.clone();
    await signIn(servers.bff, jar, 1);
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toMatchObject({
      user: { oid: servers.emulator.users[1]!.oid },
    });
    expect(json(await servers.bff.request(late, { url: "/auth/session" }))).toEqual({
      authenticated: false,
    });
  });

  it("starts a new session id at every sign-in", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    const first = jar.cookies.get("bff-session");
    await signIn(servers.bff, jar, 1);
    expect(jar.cookies.get("bff-session")).not.toBe(first);
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toMatchObject({
      user: { oid: servers.emulator.users[1]!.oid },
    });
  });
});

describe("GET /auth/callback failures: 303 to the SPA with a reason, no session", () => {
  async function expectFailure(
    response: Awaited<ReturnType<typeof servers.bff.request>>,
    code: string,
    jar: CookieJar,
  ) {
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`http://localhost:3000/?authError=${code}`);
    expect(jar.names().filter((name) => !name.startsWith("bff-tx-"))).toEqual([]);
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toEqual({
      authenticated: false,
    });
  }

  it("the user cancelled: access_denied", async () => {
    const jar = new CookieJar();
    const authorize = new URL(await startLogin(jar));
    const state = authorize.searchParams.get("state")!;
    const response = await servers.bff.request(jar, {
      url: `/auth/callback?error=access_denied&error_description=AADSTS65004&state=${state}`,
    });
    await expectFailure(response, "access_denied", jar);
    expect(jar.names()).toEqual([]); // the transaction was consumed
  });

  it("a failed sign-in returns to the page it started from, with the reason", async () => {
    const jar = new CookieJar();
    const authorize = new URL(await startLogin(jar, "/people?q=ad#results"));
    const state = authorize.searchParams.get("state")!;
    const response = await servers.bff.request(jar, {
      url: `/auth/callback?error=access_denied&state=${state}`,
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(
      "http://localhost:3000/people?q=ad&authError=access_denied#results",
    );
    // Without a transaction nobody knows where the sign-in started: the SPA's root.
    const forged = await servers.bff.request(new CookieJar(), {
      url: `/auth/callback?error=access_denied&state=${state}`,
    });
    expect(forged.headers.location).toBe("http://localhost:3000/?authError=state_mismatch");
  });

  it("another IdP error: idp_error", async () => {
    const jar = new CookieJar();
    const state = new URL(await startLogin(jar)).searchParams.get("state")!;
    const response = await servers.bff.request(jar, {
      url: `/auth/callback?error=invalid_request&state=${state}`,
    });
    await expectFailure(response, "idp_error", jar);
  });

  it("no state, a forged state, or no transaction cookie: state_mismatch", async () => {
    const jar = new CookieJar();
    const callbackUrl = (await signInAs(await startLogin(jar), 0)).location;
    const url = new URL(callbackUrl);
    const code = url.searchParams.get("code")!;
    await expectFailure(
      await servers.bff.request(jar, { url: `/auth/callback?code=${code}` }),
      "state_mismatch",
      jar,
    );
    const state = url.searchParams.get("state")!;
    const forged = `${state.slice(0, 8)}${"A".repeat(state.length - 8)}`;
    await expectFailure(
      await servers.bff.request(jar, { url: `/auth/callback?code=${code}&state=${forged}` }),
      "state_mismatch",
      jar,
    );
    // The forged attempt consumed the transaction: even the genuine state fails now.
    await expectFailure(await followCallback(servers.bff, jar, callbackUrl), "state_mismatch", jar);
    // Another browser (no cookie) with a genuine callback URL.
    const other = new CookieJar();
    const otherCallback = (await signInAs(await startLogin(other), 0)).location;
    await expectFailure(
      await followCallback(servers.bff, new CookieJar(), otherCallback),
      "state_mismatch",
      new CookieJar(),
    );
  });

  it("a replayed callback: state_mismatch (the transaction is single-use)", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, { url: "/auth/login" });
    const txCookies = jar.clone();
    const callbackUrl = (await signInAs(String(login.headers.location), 0)).location;
    expect((await followCallback(servers.bff, jar, callbackUrl)).headers.location).toBe(
      "http://localhost:3000/",
    );
    // Replaying the request with the transaction cookie as it was (an attacker's copy): the
    // BFF refuses it itself, before asking the identity provider to redeem the code again.
    servers.emulator.faults.add({ target: "token", kind: "replayable_code" });
    const tokenRequests = servers.bff.logs.length;
    const replay = await followCallback(servers.bff, txCookies, callbackUrl);
    expect(authError(replay)).toBe("state_mismatch");
    expect(replay.headers["set-cookie"]?.toString() ?? "").not.toMatch(/bff-session=[^;]/);
    expect(
      servers.bff.logs.slice(tokenRequests).some((line) => line.includes("already used")),
    ).toBe(true);
    // ...and the browser itself replaying it has no transaction left.
    expect(authError(await followCallback(servers.bff, jar, callbackUrl))).toBe("state_mismatch");
  });

  it("an expired transaction: state_mismatch", async () => {
    const jar = new CookieJar();
    const callbackUrl = (await signInAs(await startLogin(jar), 0)).location;
    servers.bff.clock.advance(11 * 60_000);
    try {
      await expectFailure(
        await followCallback(servers.bff, jar, callbackUrl),
        "state_mismatch",
        jar,
      );
    } finally {
      servers.bff.clock.advance(-11 * 60_000);
    }
  });

  it("the token endpoint refuses the code: code_redemption_failed", async () => {
    const jar = new CookieJar();
    const callbackUrl = (await signInAs(await startLogin(jar), 0)).location;
    servers.emulator.faults.add({
      target: "token",
      kind: "invalid_grant",
      grantType: "authorization_code",
      times: 1,
    });
    await expectFailure(
      await followCallback(servers.bff, jar, callbackUrl),
      "code_redemption_failed",
      jar,
    );
  });

  it("the token endpoint is unavailable or too slow: idp_unavailable", async () => {
    const jar = new CookieJar();
    const callbackUrl = (await signInAs(await startLogin(jar), 0)).location;
    servers.emulator.faults.add({ target: "token", kind: "temporarily_unavailable", times: 1 });
    await expectFailure(
      await followCallback(servers.bff, jar, callbackUrl),
      "idp_unavailable",
      jar,
    );

    const slow = await startBff(servers.emulator, { IDP_TIMEOUT_MS: "300" });
    try {
      const slowJar = new CookieJar();
      const login = await slow.request(slowJar, { url: "/auth/login" });
      const slowCallback = (await signInAs(String(login.headers.location), 0)).location;
      servers.emulator.faults.add({ target: "token", kind: "delay", ms: 1500, times: 1 });
      const started = Date.now();
      const response = await followCallback(slow, slowJar, slowCallback);
      expect(Date.now() - started).toBeLessThan(1400);
      expect(authError(response)).toBe("idp_unavailable");
    } finally {
      await slow.close();
    }
  });

  it("an ID token that fails validation (expired on our clock): invalid_id_token", async () => {
    // This BFF's clock runs two days ahead of the identity provider's.
    const ahead = await startBff(servers.emulator, {}, { clock: testClock() });
    try {
      ahead.clock.advance(2 * 86_400_000);
      const jar = new CookieJar();
      const login = await ahead.request(jar, { url: "/auth/login" });
      const callbackUrl = (await signInAs(String(login.headers.location), 0)).location;
      const response = await followCallback(ahead, jar, callbackUrl);
      expect(response.headers.location).toBe("http://localhost:3000/?authError=invalid_id_token");
      expect(jar.names().filter((name) => !name.startsWith("bff-tx-"))).toEqual([]);
      const failure = ahead.logs
        .map((line) => JSON.parse(line))
        .find((entry) => entry.code === "invalid_id_token");
      expect(failure.reason).toBe("ID token rejected: the token has expired (`exp`)");
    } finally {
      await ahead.close();
    }
  });

  it("a malformed query never answers 500", async () => {
    const jar = new CookieJar();
    for (const query of [
      "?code=a&code=b&state=x&state=y",
      "?state=%ZZ",
      "?error[]=x",
      `?state=${"x".repeat(5000)}`,
    ]) {
      const response = await servers.bff.request(jar, { url: `/auth/callback${query}` });
      expect(response.statusCode).toBe(303);
      expect(authError(response)).toMatch(/^(state_mismatch|idp_error)$/);
    }
  });
});
