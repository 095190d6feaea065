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
      await store.endIdpSession(idpSid, now, now + hour);
      const started = (createdAt: number) => ({ sid: randomUUID(), idpSid, createdAt });
      expect(await store.isEnded(started(now - 60_000), now)).toBe(true);
      expect(await store.isEnded(started(now), now)).toBe(true);
      // Another instance's clock may run a little ahead.
      expect(await store.isEnded(started(now + idpLogoutClockSkewMs), now)).toBe(true);
      expect(await store.isEnded(started(now + idpLogoutClockSkewMs + 1), now)).toBe(false);
      expect(await store.isEnded({ ...started(now - 60_000), idpSid: randomUUID() }, now)).toBe(
        false,
      );
      expect(await store.isEnded({ sid: randomUUID(), createdAt: now - 60_000 }, now)).toBe(false);
    },
  );
});

describe("memory revocation store", () => {
  it("forgets entries once they expire", async () => {
    const store = new MemoryRevocationStore();
    await store.revoke("a", 2000);
    await store.endIdpSession("idp", 1000, 2000);
    expect(await store.isEnded({ sid: "a", createdAt: 0 }, 1999)).toBe(true);
    expect(await store.isEnded({ sid: "b", idpSid: "idp", createdAt: 0 }, 1999)).toBe(true);
    store.prune(2000);
    expect(await store.isEnded({ sid: "a", createdAt: 0 }, 1999)).toBe(false);
    expect(await store.isEnded({ sid: "b", idpSid: "idp", createdAt: 0 }, 1999)).toBe(false);
  });

  it("caps front-channel entries, evicting the oldest, never a logout done here", async () => {
    const store = new MemoryRevocationStore();
    await store.revoke("mine", 10_000);
    for (let i = 0; i <= maxIdpEntries; i += 1) await store.endIdpSession(`idp-${i}`, 0, 10_000);
    expect(await store.isEnded({ sid: "x", idpSid: "idp-0", createdAt: 0 }, 1)).toBe(false);
    expect(await store.isEnded({ sid: "x", idpSid: "idp-1", createdAt: 0 }, 1)).toBe(true);
    expect(await store.isEnded({ sid: "mine", createdAt: 0 }, 1)).toBe(true);
  });
});
