// A session is one user from sign-in through every renewal, against an identity provider
// that misbehaves on purpose (the emulator's token and discovery faults).
import { type Fault, signInAs } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CookieJar,
  csrf,
  followCallback,
  json,
  openCookie,
  signIn,
  startBff,
  type TestBff,
  useEmulatorAndBff,
} from "./helpers/bff.ts";
import { setCookies } from "./helpers/cookie-jar.ts";
import { type RecordingUpstream, startRecordingUpstream } from "./helpers/recording-upstream.ts";

const servers = useEmulatorAndBff();
const adele = 0;
const alex = 1;

async function signedIn(user = adele, bff: TestBff = servers.bff): Promise<CookieJar> {
  const jar = new CookieJar();
  const callback = await signIn(bff, jar, user);
  expect(callback.headers.location).toBe("http://localhost:3000/");
  return jar;
}

const me = (jar: CookieJar, bff: TestBff = servers.bff) =>
  bff.request(jar, { url: "/api/me", headers: csrf });

/** Graph /me calls the BFF made that Graph answered 200. */
function graphCalls(bff: TestBff = servers.bff): number {
  const line = bff.app.metrics
    .render()
    .split("\n")
    .find((l) => l.startsWith('entra_bff_graph_request_duration_seconds_count{status="200"}'));
  return Number(line?.split(" ")[1] ?? 0);
}

/** The access tokens expire: the emulator's clock moves with the BFF's. */
const expireAccessTokens = () => servers.bff.clock.advance(3600_000);

describe("a renewal that names someone else ends the session, and nothing of it is used", () => {
  const now = () => Math.floor(servers.bff.clock.now / 1000);
  const other = () => servers.emulator.users[alex]!;
  const cases: Array<[string, () => Fault]> = [
    [
      "another user altogether",
      () => ({ target: "token", kind: "other_user", grantType: "refresh_token" }),
    ],
    [
      "another oid",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { oid: other().oid },
      }),
    ],
    [
      "another sub",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { sub: "someone-else-entirely-0000000000000000000000" },
      }),
    ],
    [
      "another tenant",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { tid: "99999999-9999-4999-8999-999999999999" },
      }),
    ],
    [
      "another issuer",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { iss: "https://login.microsoftonline.com/99999999-9999-4999-8999-999999999999/v2.0" },
      }),
    ],
    [
      "an extra audience",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { aud: [servers.emulator.clients[0]!.clientId, "another-app"] },
      }),
    ],
    [
      "no oid",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        remove: ["oid"],
      }),
    ],
    [
      "client_info of another user",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        clientInfo: { uid: other().oid, utid: servers.emulator.tenantId },
      }),
    ],
    [
      "an ID token issued long ago",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { iat: now() - 3 * 3600, nbf: now() - 3 * 3600 },
      }),
    ],
  ];

  it.each(cases)(
    "%s: 401 session_expired, cookies cleared, no Graph call",
    async (_name, fault) => {
      const jar = await signedIn(adele);
      const copied = jar.clone();
      expect((await me(jar)).statusCode).toBe(200);
      const before = graphCalls();
      const logLines = servers.bff.logs.length;
      expireAccessTokens();
      servers.emulator.faults.add({ ...fault(), times: 1 } as Fault);

      const response = await me(jar);
      expect(response.statusCode).toBe(401);
      expect(json(response).code).toBe("session_expired");
      expect(graphCalls()).toBe(before);
      // Every session cookie is cleared, and no token cookie was written from that answer.
      expect(jar.names()).toEqual([]);
      expect(setCookies(response).filter((c) => c.value !== "")).toEqual([]);
      const security = servers.bff.logs
        .slice(logLines)
        .map((line) => JSON.parse(line))
        .find((entry) => entry.event === "security");
      expect(security?.msg).toBe("token renewal answered for another user; session ended");
      // A copy of the cookies taken before is refused too: the session ended for good.
      expect(json(await me(copied)).code).toBe("not_authenticated");
      expect(json(await servers.bff.request(copied, { url: "/auth/session" })).authenticated).toBe(
        false,
      );

      // The user's next sign-in works.
      const again = await signedIn(adele);
      const profile = await me(again);
      expect(profile.statusCode).toBe(200);
      expect(json(profile).id).toBe(servers.emulator.users[adele]!.oid);
    },
  );
});

describe("sign-in refuses an ID token that does not say who, completely", () => {
  const fresh = () => Math.floor(servers.bff.clock.now / 1000);
  const cases: Array<[string, () => Partial<Extract<Fault, { kind: "id_token_claims" }>>]> = [
    ["an extra audience", () => ({ set: { aud: [servers.emulator.clients[0]!.clientId, "x"] } })],
    ["an azp of another app", () => ({ set: { azp: "another-app" } })],
    ["no sub", () => ({ remove: ["sub"] })],
    ["no oid", () => ({ remove: ["oid"] })],
    ["no tid", () => ({ remove: ["tid"] })],
    ["an oid that is not a GUID", () => ({ set: { oid: "not-a-guid" } })],
    ["an iat long ago", () => ({ set: { iat: fresh() - 7200, nbf: fresh() - 7200 } })],
    ["a huge preferred_username", () => ({ set: { preferred_username: "a".repeat(5000) } })],
  ];

  it.each(cases)("%s: invalid_id_token, no session", async (_name, fault) => {
    servers.emulator.faults.add({
      target: "token",
      kind: "id_token_claims",
      grantType: "authorization_code",
      times: 1,
      ...fault(),
    } as Fault);
    const jar = new CookieJar();
    const callback = await signIn(servers.bff, jar, adele);
    expect(callback.headers.location).toBe("http://localhost:3000/?authError=invalid_id_token");
    expect(jar.names().filter((name) => !name.startsWith("bff-tx-"))).toEqual([]);
    expect((await signIn(servers.bff, new CookieJar(), adele)).headers.location).toBe(
      "http://localhost:3000/",
    );
  });
});

describe("bounded identity: huge claims never make an unusable cookie", () => {
  it("a huge name is truncated, the cookies stay small, and the session works", async () => {
    servers.emulator.faults.add({
      target: "token",
      kind: "id_token_claims",
      grantType: "authorization_code",
      times: 1,
      set: { name: `Adele ${"ä".repeat(20_000)}`, login_hint: "h".repeat(5000) },
    });
    const jar = new CookieJar();
    const callback = await signIn(servers.bff, jar, adele);
    expect(callback.headers.location).toBe("http://localhost:3000/");
    for (const cookie of setCookies(callback)) {
      expect(Buffer.byteLength(cookie.line)).toBeLessThanOrEqual(4096);
    }
    expect(Buffer.byteLength(jar.headers().cookie ?? "")).toBeLessThan(8192);
    const session = json<{ user: { name: string } }>(
      await servers.bff.request(jar, { url: "/auth/session" }),
    );
    expect([...session.user.name].length).toBeLessThanOrEqual(128);
    expect(session.user.name.startsWith("Adele ää")).toBe(true);
    expect((await me(jar)).statusCode).toBe(200);
    // The oversized login_hint was dropped: sign-out shows Entra's account picker instead.
    const logout = await servers.bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });
    expect(new URL(String(logout.headers.location)).searchParams.has("logout_hint")).toBe(false);
  });

  it("keeps at most 20 well-formed roles", async () => {
    const roles = [
      ...Array.from({ length: 300 }, (_, i) => `Role.${i}`),
      "has space",
      "x".repeat(500),
    ];
    servers.emulator.faults.add({
      target: "token",
      kind: "id_token_claims",
      grantType: "authorization_code",
      times: 1,
      set: { roles },
    });
    const jar = await signedIn(adele);
    const session = json<{ user: { roles: string[] } }>(
      await servers.bff.request(jar, { url: "/auth/session" }),
    );
    expect(session.user.roles).toEqual(roles.slice(0, 20));
  });
});

describe("the replayed callback", () => {
  it("is refused by the BFF even when the identity provider would redeem the code again", async () => {
    servers.emulator.faults.add({ target: "token", kind: "replayable_code", times: 1 });
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, { url: "/auth/login" });
    const copy = jar.clone();
    const { location } = await signInAs(String(login.headers.location), adele);
    expect((await followCallback(servers.bff, jar, location)).headers.location).toBe(
      "http://localhost:3000/",
    );
    const replay = await followCallback(servers.bff, copy, location);
    expect(replay.headers.location).toBe("http://localhost:3000/?authError=state_mismatch");
    expect(copy.names().filter((name) => !name.startsWith("bff-tx-"))).toEqual([]);
  });
});

describe("the discovery document must be the configured authority's", () => {
  it("another tenant's issuer keeps the BFF unready, with the reason", async () => {
    servers.emulator.faults.add({
      target: "discovery",
      kind: "issuer",
      issuer: `${servers.emulator.url}/99999999-9999-4999-8999-999999999999/v2.0`,
    });
    const cold = await startBff(servers.emulator, {}, { waitForMetadata: false });
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const ready = await cold.request(undefined, { url: "/readyz" });
      expect(ready.statusCode).toBe(503);
      expect(json<{ reason: string }>(ready).reason).toContain(
        "is not the one ENTRA_AUTHORITY implies",
      );
      const login = await cold.request(new CookieJar(), { url: "/auth/login" });
      expect(login.headers.location).toBe("http://localhost:3000/?authError=idp_unavailable");
    } finally {
      servers.emulator.faults.clear();
      await cold.close();
    }
  });
});

describe("Graph answering with another user's profile", () => {
  let graph: RecordingUpstream;
  let bff: TestBff;
  beforeAll(async () => {
    graph = await startRecordingUpstream({ tls: true });
    bff = await startBff(servers.emulator, { GRAPH_BASE_URL: `${graph.origin}/v1.0` });
  });
  afterAll(async () => {
    await bff?.close();
    await graph?.close();
  });

  it("is a 502 graph_error, not a profile", async () => {
    graph.respond((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ id: servers.emulator.users[alex]!.oid, displayName: "Alex" }));
    });
    const jar = await signedIn(adele, bff);
    const response = await me(jar, bff);
    expect(response.statusCode).toBe(502);
    expect(json(response).code).toBe("graph_error");
    expect(response.body).not.toContain("Alex");
  });
});

describe("ALLOWED_TENANTS", () => {
  it("refuses a sign-in from a tenant not in the list: tenant_not_allowed, no session", async () => {
    const strict = await startBff(servers.emulator, {
      ALLOWED_TENANTS: "11111111-1111-4111-8111-111111111111",
    });
    try {
      const jar = new CookieJar();
      const callback = await signIn(strict, jar, adele);
      expect(callback.headers.location).toBe("http://localhost:3000/?authError=tenant_not_allowed");
      expect(jar.names().filter((name) => !name.startsWith("bff-tx-"))).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it("signs in a user of a listed tenant", async () => {
    const listed = await startBff(servers.emulator, {
      ALLOWED_TENANTS: `11111111-1111-4111-8111-111111111111, ${servers.emulator.tenantId.toUpperCase()}`,
    });
    try {
      const jar = await signedIn(adele, listed);
      expect(json(await listed.request(jar, { url: "/auth/session" })).authenticated).toBe(true);
    } finally {
      await listed.close();
    }
  });
});

describe("headers and logs", () => {
  it("every /auth and /api answer is nosniff; the callback's redirect sends no Referer", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, { url: "/auth/login" });
    const { location } = await signInAs(String(login.headers.location), adele);
    const callback = await followCallback(servers.bff, jar, location);
    expect(callback.headers["referrer-policy"]).toBe("no-referrer");
    const failed = await servers.bff.request(new CookieJar(), { url: "/auth/callback?state=x" });
    expect(failed.headers["referrer-policy"]).toBe("no-referrer");
    for (const response of [
      login,
      callback,
      failed,
      await servers.bff.request(jar, { url: "/auth/session" }),
      await me(jar),
      await servers.bff.request(jar, { url: "/api/me" }),
      await servers.bff.request(jar, { url: "/api/nothing", headers: csrf }),
      await servers.bff.request(jar, { url: "/auth/nothing" }),
    ]) {
      expect(response.headers["x-content-type-options"], response.body).toBe("nosniff");
    }
  });

  it("session ids appear in logs only as a short keyed hash", async () => {
    const jar = await signedIn(adele);
    await me(jar);
    await servers.bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });
    await servers.bff.request(await signedIn(alex), { url: "/auth/session" });
    const sids = servers.bff.responses
      .flatMap((r) => setCookies(r))
      .filter((c) => c.name === "bff-session" && c.value !== "")
      .map((c) => openCookie<{ identity: { sid: string } }>(servers.bff, c.value)?.identity.sid)
      .filter((sid): sid is string => typeof sid === "string");
    expect(sids.length).toBeGreaterThan(1);
    for (const sid of sids) {
      expect(servers.bff.logs.some((line) => line.includes(sid))).toBe(false);
    }
    const signedInLines = servers.bff.logs
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === "signed in");
    expect(signedInLines.at(-1)?.session).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});
