// The Redis revocation store against a real redis-server: a cookie logged out on one BFF
// instance is refused by another sharing REDIS_URL. CI exports REDIS_TEST_URL (db 15).
import {
  createEmulator,
  defaultClient,
  type Emulator,
  signInAs,
  signOut,
} from "@entra-bff/entra-emulator";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisKeyPrefix } from "../../src/session/redis-revocation.ts";
import {
  CookieJar,
  csrf,
  followCallback,
  json,
  sessionKey,
  signIn,
  startBff,
  type TestBff,
} from "../helpers/bff.ts";

const redisUrl = process.env.REDIS_TEST_URL;
if (redisUrl === undefined && process.env.CI) {
  throw new Error("REDIS_TEST_URL must be set in CI (e.g. redis://127.0.0.1:6379/15).");
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    clients: [
      { ...defaultClient, frontchannelLogoutUri: "http://localhost:3000/auth/frontchannel-logout" },
    ],
  });
});
afterAll(async () => {
  await emulator?.close();
});

const logout = (bff: TestBff, jar: CookieJar) =>
  bff.request(jar, {
    method: "POST",
    url: "/auth/logout",
    headers: { ...csrf, origin: "http://localhost:3000" },
  });

describe.skipIf(redisUrl === undefined)(
  "Redis revocation store (skipped: set REDIS_TEST_URL=redis://127.0.0.1:6379/15 to run)",
  () => {
    const sessionKeys = sessionKey();
    let a: TestBff;
    let b: TestBff;
    let redis: Redis;
    // db 15 may hold other runs' entries: delete only the ones this file added.
    let existing: Set<string>;

    beforeAll(async () => {
      const env = { SESSION_KEYS: sessionKeys, REDIS_URL: redisUrl };
      a = await startBff(emulator, env);
      b = await startBff(emulator, env);
      redis = new Redis(redisUrl as string);
      existing = new Set(await redis.keys(`${redisKeyPrefix}*`));
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      const added = (await redis.keys(`${redisKeyPrefix}*`)).filter((k) => !existing.has(k));
      if (added.length > 0) await redis.del(...added);
      await redis?.quit();
    });

    it("refuses on instance B a cookie copied before logout on instance A", async () => {
      const jar = new CookieJar();
      await signIn(a, jar, 0);
      const copy = jar.clone();
      // Both instances share the session keys: B accepts A's cookie before logout.
      expect(json(await b.request(copy.clone(), { url: "/auth/session" })).authenticated).toBe(
        true,
      );

      expect((await logout(a, jar)).statusCode).toBe(303);

      const replayed = await b.request(copy.clone(), { url: "/api/me", headers: csrf });
      expect(replayed.statusCode).toBe(401);
      expect(json(replayed).code).toBe("not_authenticated");
      expect(json(await b.request(copy.clone(), { url: "/auth/session" }))).toEqual({
        authenticated: false,
      });
    });

    it("refuses on instance B a session Entra ended through front-channel logout on instance A", async () => {
      const jar = new CookieJar();
      const login = await b.request(jar, { url: "/auth/login" });
      const signedIn = await signInAs(login.headers.location as string, 0);
      await followCallback(b, jar, signedIn.location);
      expect(json(await b.request(jar.clone(), { url: "/auth/session" })).authenticated).toBe(true);

      const { frontchannelUris } = await signOut(
        `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/logout`,
        { cookie: signedIn.cookie as string },
      );
      const url = new URL(frontchannelUris[0] as string);
      // The sign-in on B recorded the Entra session; the logout on A marks it ended.
      const key = `${redisKeyPrefix}idp-session:${url.searchParams.get("sid")}`;
      expect(await redis.get(key)).toBe("0");
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(a.config.sessionAbsoluteHours * 3600);
      expect((await a.request(undefined, { url: `${url.pathname}${url.search}` })).statusCode).toBe(
        200,
      );
      expect(Number(await redis.get(key))).toBeGreaterThan(0);

      // A made-up id writes nothing.
      const before = await redis.dbsize();
      await a.request(undefined, { url: "/auth/frontchannel-logout?sid=made-up-entra-session" });
      expect(await redis.exists(`${redisKeyPrefix}idp-session:made-up-entra-session`)).toBe(0);
      expect(await redis.dbsize()).toBe(before);

      expect(json(await b.request(jar.clone(), { url: "/auth/session" }))).toEqual({
        authenticated: false,
      });
      expect((await b.request(jar.clone(), { url: "/api/me", headers: csrf })).statusCode).toBe(
        401,
      );
    });

    it("keeps each ended session until its absolute expiry, no longer", async () => {
      const jar = new CookieJar();
      await signIn(a, jar, 1);
      const before = new Set(await redis.keys(`${redisKeyPrefix}*`));
      expect((await logout(a, jar)).statusCode).toBe(303);
      const added = (await redis.keys(`${redisKeyPrefix}*`)).filter((k) => !before.has(k));
      expect(added).toHaveLength(1);
      const ttl = await redis.ttl(added[0] as string);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(a.config.sessionAbsoluteHours * 3600);
      await redis.del(added[0] as string);
    });
  },
);

describe("Redis revocation store when Redis is unreachable", () => {
  let bff: TestBff;
  /** An instance with a working store and the same keys: sessions started before the outage. */
  let before: TestBff;
  beforeAll(async () => {
    const keys = sessionKey();
    // Port 1 refuses connections at once: the BFF must start and then fail closed.
    bff = await startBff(emulator, { REDIS_URL: "redis://127.0.0.1:1/15", SESSION_KEYS: keys });
    before = await startBff(emulator, { SESSION_KEYS: keys });
  });
  afterAll(async () => {
    await bff?.close();
    await before?.close();
  });

  it("refuses to complete a sign-in it cannot record as used: session_store_unavailable, no session", async () => {
    const jar = new CookieJar();
    const callback = await signIn(bff, jar, 0);
    expect(callback.headers.location).toBe(
      "http://localhost:3000/?authError=session_store_unavailable",
    );
    expect(jar.names().filter((name) => !name.startsWith("bff-tx-"))).toEqual([]);
  });

  it("answers 503 session_store_unavailable on /api/* instead of trusting the cookie", async () => {
    const jar = new CookieJar();
    await signIn(before, jar, 0);
    const response = await bff.request(jar, { url: "/api/me", headers: csrf });
    expect(response.statusCode).toBe(503);
    expect(json(response)).toEqual({
      code: "session_store_unavailable",
      message:
        "The session store is unavailable, so the session cannot be checked. Try again shortly.",
    });
    expect(response.headers["retry-after"]).toBe("5");
  });

  it("still signs the user out (cookies cleared, on to Entra) and logs that it could not record it", async () => {
    const jar = new CookieJar();
    await signIn(before, jar, 1);
    const response = await bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });
    expect(response.statusCode).toBe(303);
    expect(String(response.headers.location)).toContain("/oauth2/v2.0/logout");
    expect(jar.names()).toEqual([]);
    expect(bff.logs.some((line) => line.includes("the session store did not record it"))).toBe(
      true,
    );
  });
});
