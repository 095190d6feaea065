import { describe, expect, it } from "vitest";
import { CookieJar, csrf, json, signIn, startBff, useEmulatorAndBff } from "../helpers/bff.ts";
import { setCookies } from "../helpers/cookie-jar.ts";

const servers = useEmulatorAndBff();

async function signedIn(user = 0): Promise<CookieJar> {
  const jar = new CookieJar();
  const callback = await signIn(servers.bff, jar, user);
  expect(callback.statusCode).toBe(303);
  return jar;
}

const me = (jar: CookieJar | undefined, target = servers.bff) =>
  target.request(jar, { url: "/api/me", headers: csrf });

describe("GET /api/me", () => {
  it("returns the Graph profile of the signed-in user, without @odata.context", async () => {
    const jar = await signedIn(0);
    const response = await me(jar);
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const user = servers.emulator.users[0]!;
    expect(json(response)).toEqual({
      id: user.oid,
      displayName: user.displayName,
      givenName: user.givenName,
      surname: user.surname,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail,
      jobTitle: user.jobTitle,
      officeLocation: user.officeLocation,
      businessPhones: user.businessPhones,
      mobilePhone: user.mobilePhone,
      preferredLanguage: user.preferredLanguage,
    });
    // Nothing changed: no Set-Cookie.
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  it("requires X-CSRF: 1", async () => {
    const jar = await signedIn(0);
    const without: Record<string, string>[] = [
      {},
      { "x-csrf": "0" },
      { "x-requested-with": "XMLHttpRequest" },
    ];
    for (const headers of without) {
      const response = await servers.bff.request(jar, { url: "/api/me", headers });
      expect(response.statusCode).toBe(403);
      expect(json(response)).toEqual({
        code: "csrf_required",
        message: "This endpoint requires the anti-forgery header `X-CSRF: 1`.",
      });
    }
  });

  it("answers 401 not_authenticated without a session", async () => {
    const response = await me(new CookieJar());
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({
      code: "not_authenticated",
      message: "You are not signed in. Start a sign-in at /auth/login.",
    });
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  it("serves two users interleaved and concurrently, each seeing only themselves", async () => {
    const [adele, alex] = await Promise.all([signedIn(0), signedIn(1)]);
    const rounds = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const [jar, user] = i % 2 === 0 ? [adele, 0] : [alex, 1];
        return Promise.all([
          servers.bff.app.inject({ url: "/api/me", headers: { ...jar.headers(), ...csrf } }),
          servers.bff.app.inject({ url: "/auth/session", headers: jar.headers() }),
        ]).then(([profile, session]) => ({ user, profile: json(profile), session: json(session) }));
      }),
    );
    for (const { user, profile, session } of rounds) {
      expect(profile.id).toBe(servers.emulator.users[user]!.oid);
      expect(session).toMatchObject({ user: { oid: servers.emulator.users[user]!.oid } });
    }
  });

  it("renews an expired access token silently, updates the token cookie and stores the rotated refresh token", async () => {
    const jar = await signedIn(0);
    const before = jar.cookies.get("bff-token-0");
    servers.bff.clock.advance(3600_000);
    try {
      const response = await me(jar);
      expect(response.statusCode).toBe(200);
      expect(json(response).id).toBe(servers.emulator.users[0]!.oid);
      const written = setCookies(response).map((c) => c.name);
      expect(written).toContain("bff-token-0");
      expect(jar.cookies.get("bff-token-0")).not.toBe(before);
      // Renewed once; the next call uses the new token without renewing again.
      const again = await me(jar);
      expect(again.statusCode).toBe(200);
      expect(setCookies(again).filter((c) => c.name.startsWith("bff-token"))).toEqual([]);
      expect(
        servers.bff.logs.filter((line) => line.includes('"access token renewed"')),
      ).not.toHaveLength(0);
    } finally {
      servers.bff.clock.advance(-3600_000);
    }
  });

  it("renews once for 20 concurrent requests of the same session, all answered with the same cookie", async () => {
    const jar = await signedIn(1);
    servers.bff.clock.advance(3600_000);
    const renewedBefore = servers.bff.logs.filter((line) =>
      line.includes('"access token renewed"'),
    ).length;
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          servers.bff.app.inject({ url: "/api/me", headers: { ...jar.headers(), ...csrf } }),
        ),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      const renewed =
        servers.bff.logs.filter((line) => line.includes('"access token renewed"')).length -
        renewedBefore;
      expect(renewed).toBe(1);
      // Whichever response the browser stores last, it holds the renewed tokens (each one
      // sealed with its own nonce): none can put the expired token back and force another
      // renewal.
      const renewedAfterBurst = servers.bff.logs.filter((l) =>
        l.includes('"access token renewed"'),
      ).length;
      for (const response of responses) {
        const token = setCookies(response).find((c) => c.name === "bff-token-0");
        expect(token?.value).toBeTruthy();
        const cookie = jar
          .headers()
          .cookie!.split("; ")
          .map((pair) => (pair.startsWith("bff-token-0=") ? `bff-token-0=${token!.value}` : pair))
          .join("; ");
        const replay = await servers.bff.app.inject({
          url: "/api/me",
          headers: { cookie, ...csrf },
        });
        expect(replay.statusCode).toBe(200);
      }
      expect(servers.bff.logs.filter((l) => l.includes('"access token renewed"')).length).toBe(
        renewedAfterBurst,
      );
    } finally {
      servers.bff.clock.advance(-3600_000);
    }
  });

  it("ends the session when the refresh token is refused (invalid_grant): 401 session_expired, cookies cleared", async () => {
    const jar = await signedIn(0);
    servers.bff.clock.advance(3600_000);
    try {
      servers.emulator.faults.add({
        target: "token",
        kind: "invalid_grant",
        grantType: "refresh_token",
      });
      const response = await me(jar);
      expect(response.statusCode).toBe(401);
      expect(json(response)).toEqual({
        code: "session_expired",
        message:
          "Your session can no longer be renewed silently (the refresh token was rejected or the identity provider requires interaction). Please sign in again.",
      });
      const cleared = setCookies(response).map((c) => [c.name, c.attributes.get("max-age")]);
      expect(cleared).toEqual(
        expect.arrayContaining([
          ["bff-session", "0"],
          ["bff-token-0", "0"],
        ]),
      );
      expect(jar.names()).toEqual([]);
    } finally {
      servers.bff.clock.advance(-3600_000);
    }
  });

  it("ends the session when renewal needs interaction: 401 session_expired", async () => {
    const jar = await signedIn(1);
    servers.bff.clock.advance(3600_000);
    try {
      servers.emulator.faults.add({
        target: "token",
        kind: "interaction_required",
        grantType: "refresh_token",
      });
      const response = await me(jar);
      expect(response.statusCode).toBe(401);
      expect(json(response).code).toBe("session_expired");
      expect(jar.names()).toEqual([]);
    } finally {
      servers.bff.clock.advance(-3600_000);
    }
  });

  it("keeps the session when the IdP is down during renewal: 503 idp_unavailable / 502 idp_error", async () => {
    const jar = await signedIn(0);
    servers.bff.clock.advance(3600_000);
    try {
      servers.emulator.faults.add({ target: "token", kind: "temporarily_unavailable", times: 1 });
      const unavailable = await me(jar);
      expect(unavailable.statusCode).toBe(503);
      expect(json(unavailable)).toEqual({
        code: "idp_unavailable",
        message:
          "The identity provider is temporarily unavailable; the session could not be renewed.",
      });
      expect(unavailable.headers["retry-after"]).toBe("5");
      servers.emulator.faults.add({ target: "token", kind: "server_error", times: 1 });
      expect((await me(jar)).statusCode).toBe(503);
      // The session survived the outage.
      expect((await me(jar)).statusCode).toBe(200);
    } finally {
      servers.bff.clock.advance(-3600_000);
    }
  });

  it("does not hang on a slow IdP: 504 idp_timeout", async () => {
    const slow = await startBff(servers.emulator, { IDP_TIMEOUT_MS: "300" });
    try {
      const jar = new CookieJar();
      await signIn(slow, jar, 0);
      slow.clock.advance(3600_000);
      servers.emulator.faults.add({ target: "token", kind: "delay", ms: 1500, times: 1 });
      const started = Date.now();
      const response = await me(jar, slow);
      expect(Date.now() - started).toBeLessThan(1400);
      expect(response.statusCode).toBe(504);
      expect(json(response)).toEqual({
        code: "idp_timeout",
        message: "The identity provider did not answer in time while renewing the session.",
      });
    } finally {
      await slow.close();
    }
  });

  it("maps Graph throttling to 503 graph_unavailable with Retry-After", async () => {
    const jar = await signedIn(0);
    servers.emulator.faults.add({
      target: "graph",
      kind: "throttled",
      retryAfterSeconds: 7,
      times: 1,
    });
    const response = await me(jar);
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("7");
    expect(json(response)).toEqual({
      code: "graph_unavailable",
      message: "Microsoft Graph is throttling requests; try again after Retry-After seconds.",
    });
  });

  it("maps a Graph server error to 502 graph_error", async () => {
    const jar = await signedIn(0);
    servers.emulator.faults.add({ target: "graph", kind: "server_error", times: 1 });
    const response = await me(jar);
    expect(response.statusCode).toBe(502);
    expect(json(response).code).toBe("graph_error");
    expect(String(json(response).message)).toMatch(/^Microsoft Graph answered HTTP 5\d\d/);
  });

  it("does not hang on a slow Graph: 504 graph_timeout", async () => {
    const slow = await startBff(servers.emulator, { GRAPH_TIMEOUT_MS: "300" });
    try {
      const jar = new CookieJar();
      await signIn(slow, jar, 0);
      servers.emulator.faults.add({ target: "graph", kind: "delay", ms: 1500, times: 1 });
      const started = Date.now();
      const response = await me(jar, slow);
      expect(Date.now() - started).toBeLessThan(1400);
      expect(response.statusCode).toBe(504);
      expect(json(response)).toEqual({
        code: "graph_timeout",
        message: "Microsoft Graph did not answer within 300 ms.",
      });
    } finally {
      await slow.close();
    }
  });

  it("renews and retries once when Graph rejects the token", async () => {
    const jar = await signedIn(1);
    servers.emulator.faults.add({ target: "graph", kind: "unauthorized", times: 1 });
    const response = await me(jar);
    expect(response.statusCode).toBe(200);
    expect(setCookies(response).map((c) => c.name)).toContain("bff-token-0");
    servers.emulator.faults.add({ target: "graph", kind: "unauthorized" });
    const rejected = await me(jar);
    expect(rejected.statusCode).toBe(502);
    expect(json(rejected)).toEqual({
      code: "graph_error",
      message: "Microsoft Graph rejected a freshly renewed access token.",
    });
  });

  it("answers a CAE claims challenge by renewing with the claims", async () => {
    const jar = await signedIn(0);
    servers.emulator.faults.add({ target: "graph", kind: "claims_challenge", times: 1 });
    expect((await me(jar)).statusCode).toBe(200);
  });

  it("asks for an interactive sign-in when the claims challenge persists: 401 claims_challenge with loginUrl", async () => {
    const jar = await signedIn(0);
    servers.emulator.faults.add({ target: "graph", kind: "claims_challenge" });
    const response = await servers.bff.request(jar, {
      url: "/api/me",
      headers: { ...csrf, referer: "http://localhost:3000/profile?tab=1" },
    });
    expect(response.statusCode).toBe(401);
    const body = json<{ code: string; message: string; loginUrl: string }>(response);
    expect(body.code).toBe("claims_challenge");
    const loginUrl = new URL(body.loginUrl, "http://localhost:3000");
    expect(loginUrl.pathname).toBe("/auth/login");
    expect(loginUrl.searchParams.get("returnTo")).toBe("/profile?tab=1");
    const claims = JSON.parse(
      Buffer.from(loginUrl.searchParams.get("claims")!, "base64url").toString(),
    );
    expect(claims).toHaveProperty("access_token");
    // The session is kept; the sign-in with the claims carries them to the authorize endpoint.
    expect(jar.names()).toEqual(["bff-session", "bff-token-0"]);
    const login = await servers.bff.request(jar, { url: body.loginUrl });
    const authorizeClaims = JSON.parse(
      new URL(String(login.headers.location)).searchParams.get("claims")!,
    );
    expect(authorizeClaims.access_token).toMatchObject(claims.access_token);
  });

  it("asks for an interactive sign-in when renewing with the claims needs interaction", async () => {
    const jar = await signedIn(1);
    servers.emulator.faults.add({ target: "graph", kind: "claims_challenge", times: 1 });
    servers.emulator.faults.add({
      target: "token",
      kind: "interaction_required",
      grantType: "refresh_token",
      times: 1,
    });
    const response = await me(jar);
    expect(response.statusCode).toBe(401);
    expect(json(response).code).toBe("claims_challenge");
  });

  it("answers 503 idp_unavailable when renewal is needed before the IdP metadata is loaded", async () => {
    const jar = await signedIn(0);
    servers.emulator.faults.add({ target: "discovery", kind: "delay", ms: 2000 });
    const cold = await startBff(
      servers.emulator,
      {
        SESSION_KEYS: servers.bff.config.sessionKeys[0]!.toString("base64"),
        IDP_TIMEOUT_MS: "200",
      },
      {
        waitForMetadata: false,
      },
    );
    try {
      cold.clock.advance(3600_000);
      const response = await me(jar, cold);
      expect(response.statusCode).toBe(503);
      expect(json(response).code).toBe("idp_unavailable");
    } finally {
      await cold.close();
    }
  });
});
