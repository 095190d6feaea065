// The server-side access tokens: one renewal per session and resource however many requests
// wait for it (in one process, and across instances sharing Redis); sealed and bound to their
// session; gone with the session.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator } from "@entra-bff/entra-emulator";
import { Redis } from "ioredis";
import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisKeyPrefix } from "../../src/session/redis-connection.ts";
import {
  bffTestEmulator,
  CookieJar,
  csrf,
  identityIn,
  json,
  sessionKey,
  signIn,
  startBff,
  type TestBff,
  testClock,
} from "../helpers/bff.ts";
import { type RecordingUpstream, startRecordingUpstream } from "../helpers/recording-upstream.ts";

const redisUrl = process.env.REDIS_TEST_URL;
if (redisUrl === undefined && process.env.CI) {
  throw new Error("REDIS_TEST_URL must be set in CI (e.g. redis://127.0.0.1:6379/15).");
}

const clock = testClock();
let emulator: Emulator;
let upstream: RecordingUpstream;
let apisFile: string;

beforeAll(async () => {
  emulator = await createEmulator({
    ...bffTestEmulator,
    now: () => clock.now,
    clients: [
      {
        clientId: "00000000-0000-0000-0000-0000000a7c01",
        clientSecret: "dev-only-access-token-tests",
        redirectUris: ["http://localhost/auth/callback"],
        frontchannelLogoutUri: "http://localhost:3000/auth/frontchannel-logout",
      },
    ],
  });
  upstream = await startRecordingUpstream();
  apisFile = join(mkdtempSync(join(tmpdir(), "entra-bff-apis-")), "apis.json");
  writeFileSync(
    apisFile,
    JSON.stringify({
      apis: {
        echo: { baseUrl: `${upstream.origin}/echo`, scopes: ["User.Read"], allow: ["GET /x"] },
      },
    }),
  );
});
afterAll(async () => {
  await upstream?.close();
  await emulator?.close();
});
afterEach(() => {
  emulator.faults.clear();
  upstream.reset();
});

const env = () => ({ DOWNSTREAM_APIS_FILE: apisFile });

async function signedIn(bff: TestBff, user = 0): Promise<CookieJar> {
  const jar = new CookieJar();
  expect((await signIn(bff, jar, user)).headers.location).toBe("http://localhost:3000/");
  return jar;
}

const get = (bff: TestBff, jar: CookieJar, url: string) =>
  bff.app.inject({ url, headers: { ...jar.headers(), ...csrf } });

/** Renewals (requests to Entra's token endpoint with a refresh token), by resource. */
function renewals(...bffs: TestBff[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const bff of bffs) {
    for (const line of bff.logs) {
      const entry = JSON.parse(line);
      if (entry.msg === "access token renewed") {
        counts[entry.resource] = (counts[entry.resource] ?? 0) + 1;
      }
    }
  }
  return counts;
}

/** The sid inside a jar's identity cookie. */
function sidOf(bff: TestBff, jar: CookieJar): string {
  return identityIn(bff, jar)!.sid;
}

describe("one renewal per session and resource", () => {
  let bff: TestBff;
  beforeAll(async () => {
    bff = await startBff(emulator, env(), { clock });
  });
  afterAll(() => bff?.close());

  it("20 parallel requests for two resources with expired tokens: one token request each", async () => {
    const jar = await signedIn(bff);
    // Sign-in caches /api/me's token; the first echo call renews for its own resource.
    expect((await get(bff, jar, "/api/echo/x")).statusCode).toBe(200);
    expect(renewals(bff)).toEqual({ "api:echo": 1 });
    clock.advance(3600_000);
    try {
      // A slow token endpoint, so that every request arrives while the renewal is under way.
      emulator.faults.add({ target: "token", kind: "delay", ms: 300 });
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => get(bff, jar, i % 2 ? "/api/me" : "/api/echo/x")),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      expect(renewals(bff)).toEqual({ me: 1, "api:echo": 2 });
      // Both tokens are cached now: the next requests renew nothing.
      await Promise.all([get(bff, jar, "/api/me"), get(bff, jar, "/api/echo/x")]);
      expect(renewals(bff)).toEqual({ me: 1, "api:echo": 2 });
    } finally {
      clock.advance(-3600_000);
    }
  });

  it("a cached token is unusable after logout: a copy of the cookies gets 401 and the API sees nothing", async () => {
    const jar = await signedIn(bff);
    expect((await get(bff, jar, "/api/echo/x")).statusCode).toBe(200);
    const copy = jar.clone();
    await bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });
    upstream.reset();
    const replay = await get(bff, copy, "/api/echo/x");
    expect(replay.statusCode).toBe(401);
    expect(json(replay).code).toBe("not_authenticated");
    expect(upstream.received).toEqual([]);
  });
});

describe.skipIf(redisUrl === undefined)(
  "across instances sharing Redis (skipped: set REDIS_TEST_URL=redis://127.0.0.1:6379/15 to run)",
  () => {
    let a: TestBff;
    let b: TestBff;
    let redis: Redis;
    let existing: Set<string>;

    beforeAll(async () => {
      const shared = { ...env(), SESSION_KEYS: sessionKey(), REDIS_URL: redisUrl };
      a = await startBff(emulator, shared, { clock });
      b = await startBff(emulator, shared, { clock });
      redis = new Redis(redisUrl as string);
      existing = new Set(await redis.keys(`${redisKeyPrefix}*`));
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      const added = (await redis.keys(`${redisKeyPrefix}*`)).filter((k) => !existing.has(k));
      if (added.length > 0) await redis.del(...added);
      redis?.disconnect();
    });

    it("20 parallel requests for two resources on two instances: one token request each", async () => {
      const jar = await signedIn(a);
      expect((await get(b, jar, "/api/echo/x")).statusCode).toBe(200);
      clock.advance(3600_000);
      try {
        emulator.faults.add({ target: "token", kind: "delay", ms: 300 });
        const before = renewals(a, b);
        const responses = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            get(i % 4 < 2 ? a : b, jar, i % 2 ? "/api/me" : "/api/echo/x"),
          ),
        );
        expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
        const after = renewals(a, b);
        expect((after.me ?? 0) - (before.me ?? 0)).toBe(1);
        expect((after["api:echo"] ?? 0) - (before["api:echo"] ?? 0)).toBe(1);
      } finally {
        clock.advance(-3600_000);
      }
    });

    it("stores tokens sealed, and drops them at logout on every instance", async () => {
      const jar = await signedIn(a);
      expect((await get(a, jar, "/api/echo/x")).statusCode).toBe(200);
      const sid = sidOf(a, jar);
      const key = `${redisKeyPrefix}tokens:${sid}`;
      const stored = await redis.hgetall(key);
      expect(Object.keys(stored).sort()).toEqual(["api:echo", "me"]);
      // No JWT (header.payload.signature) in the clear: ciphertext can hold "eyJ" by chance.
      const jwt = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
      for (const value of Object.values(stored)) {
        expect(value).not.toMatch(jwt);
        expect(value).not.toContain("accessToken");
      }
      const ttl = await redis.pttl(key);
      // With the tokens (an hour), not with the session (a day).
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3600_000 + 5_000);

      const copy = jar.clone();
      await b.request(jar, {
        method: "POST",
        url: "/auth/logout",
        headers: { ...csrf, origin: "http://localhost:3000" },
      });
      expect(await redis.exists(key)).toBe(0);
      upstream.reset();
      expect((await get(a, copy, "/api/echo/x")).statusCode).toBe(401);
      expect(upstream.received).toEqual([]);
    });

    it("drops every session's tokens when Entra signs the user out (front-channel logout)", async () => {
      const jar = new CookieJar();
      const callback = await signIn(a, jar, 1);
      expect(callback.statusCode).toBe(303);
      expect((await get(a, jar, "/api/echo/x")).statusCode).toBe(200);
      const key = `${redisKeyPrefix}tokens:${sidOf(a, jar)}`;
      expect(await redis.exists(key)).toBe(1);
      const idpSid = identityIn(a, jar)!.idpSid;
      const frontchannel = await b.request(undefined, {
        url: `/auth/frontchannel-logout?sid=${idpSid}`,
      });
      expect(frontchannel.statusCode).toBe(200);
      expect(await redis.exists(key)).toBe(0);
    });

    it("an entry moved to another session's key is not used there", async () => {
      const adele = await signedIn(a, 0);
      const alex = await signedIn(a, 1);
      expect((await get(a, adele, "/api/echo/x")).statusCode).toBe(200);
      expect((await get(a, alex, "/api/echo/x")).statusCode).toBe(200);
      // Someone with write access to Redis gives Alex's session Adele's token.
      const adeleToken = await redis.hget(`${redisKeyPrefix}tokens:${sidOf(a, adele)}`, "api:echo");
      await redis.hset(`${redisKeyPrefix}tokens:${sidOf(a, alex)}`, "api:echo", adeleToken!);
      upstream.reset();
      expect((await get(b, alex, "/api/echo/x")).statusCode).toBe(200);
      const sent = String(upstream.received[0]?.headers.authorization).slice("Bearer ".length);
      expect(decodeJwt(sent).oid).toBe(emulator.users[1]!.oid);
    });
  },
);
