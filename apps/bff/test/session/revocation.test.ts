// What "ended" means, for both stores: a logged-out BFF session until its absolute expiry;
// and, after a front-channel logout, every session the Entra session started up to then.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { RedisRevocationStore } from "../../src/session/redis-revocation.ts";
import {
  idpLogoutClockSkewMs,
  MemoryRevocationStore,
  maxIdpEntries,
  type RevocationStore,
} from "../../src/session/revocation.ts";

// Another database than redis-revocation.test.ts, which counts the keys it adds.
const redisUrl = process.env.REDIS_TEST_URL?.replace(/\/\d*$/, "/14");
const redis = redisUrl === undefined ? undefined : new RedisRevocationStore(redisUrl);
afterAll(async () => {
  await redis?.close();
});

const stores: Array<[string, () => Promise<RevocationStore | undefined>]> = [
  ["memory", async () => new MemoryRevocationStore()],
  [
    "Redis",
    async () => {
      await redis?.connect();
      return redis;
    },
  ],
];

describe.each(stores)("%s revocation store", (name, open) => {
  // Redis keeps real time (its TTLs), so these use Date.now() as the clock.
  const hour = 3_600_000;

  it.skipIf(name === "Redis" && redisUrl === undefined)(
    "a revoked session is ended; others are not",
    async () => {
      const store = (await open())!;
      const now = Date.now();
      const sid = randomUUID();
      await store.revoke(sid, now + hour);
      expect(await store.isEnded({ sid, createdAt: now - 1000 }, now)).toBe(true);
      expect(await store.isEnded({ sid: randomUUID(), createdAt: now - 1000 }, now)).toBe(false);
    },
  );

  it.skipIf(name === "Redis" && redisUrl === undefined)(
    "an ended Entra session ends the sessions it started before, not after",
    async () => {
      const store = (await open())!;
      const now = Date.now();
      const idpSid = randomUUID();
      const started = (createdAt: number) => ({ sid: randomUUID(), idpSid, createdAt });
      await store.startIdpSession(idpSid, now + hour, now - 60_000);
      expect(await store.isEnded(started(now - 60_000), now)).toBe(false);

      expect(await store.endIdpSession(idpSid, now)).toBe(true);
      expect(await store.isEnded(started(now - 60_000), now)).toBe(true);
      expect(await store.isEnded(started(now), now)).toBe(true);
      // Another instance's clock may run a little ahead.
      expect(await store.isEnded(started(now + idpLogoutClockSkewMs), now)).toBe(true);
      expect(await store.isEnded(started(now + idpLogoutClockSkewMs + 1), now)).toBe(false);
      expect(await store.isEnded({ ...started(now - 60_000), idpSid: randomUUID() }, now)).toBe(
        false,
      );
      expect(await store.isEnded({ sid: randomUUID(), createdAt: now - 60_000 }, now)).toBe(false);
      // Another sign-in through the same Entra session keeps it ended.
      await store.startIdpSession(idpSid, now + 2 * hour, now);
      expect(await store.isEnded(started(now - 60_000), now)).toBe(true);
    },
  );

  it.skipIf(name === "Redis" && redisUrl === undefined)(
    "front-channel logout for an Entra session no sign-in recorded writes nothing",
    async () => {
      const store = (await open())!;
      const now = Date.now();
      const idpSid = randomUUID();
      expect(await store.endIdpSession(idpSid, now)).toBe(false);
      // A later sign-in through it is not ended by that earlier, unknown logout.
      await store.startIdpSession(idpSid, now + hour, now);
      expect(await store.isEnded({ sid: randomUUID(), idpSid, createdAt: now - 1000 }, now)).toBe(
        false,
      );
    },
  );
});

describe("memory revocation store", () => {
  it("forgets entries once they expire", async () => {
    const store = new MemoryRevocationStore();
    await store.revoke("a", 2000);
    await store.startIdpSession("idp", 2000, 0);
    await store.endIdpSession("idp", 1000);
    expect(await store.isEnded({ sid: "a", createdAt: 0 }, 1999)).toBe(true);
    expect(await store.isEnded({ sid: "b", idpSid: "idp", createdAt: 0 }, 1999)).toBe(true);
    store.prune(2000);
    expect(await store.isEnded({ sid: "a", createdAt: 0 }, 1999)).toBe(false);
    expect(await store.isEnded({ sid: "b", idpSid: "idp", createdAt: 0 }, 1999)).toBe(false);
    expect(await store.endIdpSession("idp", 2001)).toBe(false);
  });

  it("remembers at most maxIdpEntries Entra sessions, forgetting the oldest, never a logout done here", async () => {
    const store = new MemoryRevocationStore();
    await store.revoke("mine", 10_000);
    for (let i = 0; i <= maxIdpEntries; i += 1) await store.startIdpSession(`idp-${i}`, 10_000, 0);
    expect(await store.endIdpSession("idp-0", 1)).toBe(false);
    expect(await store.endIdpSession("idp-1", 1)).toBe(true);
    expect(await store.isEnded({ sid: "x", idpSid: "idp-1", createdAt: 0 }, 1)).toBe(true);
    expect(await store.isEnded({ sid: "mine", createdAt: 0 }, 1)).toBe(true);
  });
});
