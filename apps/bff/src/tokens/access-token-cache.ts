// Where access tokens live between requests: on the server, never in a cookie, keyed by
// session id and resource, each entry sealed with the session keys (so neither a Redis dump
// nor a key swapped between sessions yields a usable token) and gone when the session is.
// This module stores opaque sealed strings; access-tokens.ts seals and opens them.
import type { RedisConnection } from "../session/redis-connection.ts";
import { redisKeyPrefix } from "../session/redis-connection.ts";

export interface AccessTokenCache {
  get(sid: string, resource: string): Promise<string | undefined>;
  /** Stores `sealed` until `expiresAt` (epoch ms); the session's other entries stay. */
  set(sid: string, resource: string, sealed: string, expiresAt: number, now: number): Promise<void>;
  /** Forgets every entry of a session (logout). */
  deleteSession(sid: string): Promise<void>;
  /** Remembers that Entra session `idpSid` started BFF session `sid`, until `until`. */
  linkIdpSession(idpSid: string, sid: string, until: number, now: number): Promise<void>;
  /** Forgets every entry of every session Entra session `idpSid` started (front-channel logout). */
  deleteIdpSession(idpSid: string): Promise<void>;
  /**
   * Cross-instance single flight: true when this caller may renew `resource` for `sid`
   * (and must `unlock` afterwards). The in-memory cache has one instance: always true.
   */
  lock(sid: string, resource: string, ttlMs: number): Promise<LockHandle | undefined>;
  /** What a caller waiting for another instance's renewal can see, in one round trip. */
  peek(sid: string, resource: string): Promise<RenewalProgress>;
  /** Tells waiting instances that the renewal failed (short-lived). */
  recordFailure(sid: string, resource: string, failure: string, ttlMs: number): Promise<void>;
}

export interface LockHandle {
  unlock(): Promise<void>;
}

export interface RenewalProgress {
  sealed: string | undefined;
  /** Another instance is renewing right now. */
  locked: boolean;
  /** The failure another instance recorded, if its renewal failed. */
  failure: string | undefined;
}

/**
 * Sessions kept in memory: each is a few sealed tokens of ~2–3 KB, so 20,000 sessions are
 * well under 200 MB; beyond that the least recently used session's tokens are dropped
 * (they are renewed with its refresh token when next needed).
 */
export const maxMemorySessions = 20_000;

interface MemoryEntry {
  sealed: string;
  expiresAt: number;
}

/** One process's memory: a single BFF instance, or tests. */
export class MemoryAccessTokenCache implements AccessTokenCache {
  readonly #sessions = new Map<string, Map<string, MemoryEntry>>();
  readonly #idpSessions = new Map<string, { sids: Set<string>; until: number }>();
  readonly #failures = new Map<string, { failure: string; until: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async get(sid: string, resource: string): Promise<string | undefined> {
    const entries = this.#sessions.get(sid);
    const entry = entries?.get(resource);
    if (!entries || !entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      entries.delete(resource);
      return undefined;
    }
    // Most recently used last: Map order is the eviction order.
    this.#sessions.delete(sid);
    this.#sessions.set(sid, entries);
    return entry.sealed;
  }

  async set(sid: string, resource: string, sealed: string, expiresAt: number): Promise<void> {
    const entries = this.#sessions.get(sid) ?? new Map<string, MemoryEntry>();
    entries.set(resource, { sealed, expiresAt });
    this.#sessions.delete(sid);
    this.#sessions.set(sid, entries);
    if (this.#sessions.size > maxMemorySessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    this.#failures.delete(`${sid}\n${resource}`);
  }

  async deleteSession(sid: string): Promise<void> {
    this.#sessions.delete(sid);
  }

  async linkIdpSession(idpSid: string, sid: string, until: number, now: number): Promise<void> {
    const known = this.#idpSessions.get(idpSid);
    if (known && known.until > now) {
      known.sids.add(sid);
      known.until = Math.max(known.until, until);
    } else {
      this.#idpSessions.set(idpSid, { sids: new Set([sid]), until });
    }
    if (this.#idpSessions.size > maxMemorySessions) {
      const oldest = this.#idpSessions.keys().next().value;
      if (oldest !== undefined) this.#idpSessions.delete(oldest);
    }
  }

  async deleteIdpSession(idpSid: string): Promise<void> {
    const known = this.#idpSessions.get(idpSid);
    if (!known) return;
    this.#idpSessions.delete(idpSid);
    for (const sid of known.sids) this.#sessions.delete(sid);
  }

  async lock(): Promise<LockHandle> {
    return { unlock: async () => {} };
  }

  async peek(sid: string, resource: string): Promise<RenewalProgress> {
    const failure = this.#failures.get(`${sid}\n${resource}`);
    return {
      sealed: await this.get(sid, resource),
      locked: false,
      failure: failure && failure.until > this.#now() ? failure.failure : undefined,
    };
  }

  async recordFailure(sid: string, resource: string, failure: string, ttlMs: number) {
    this.#failures.set(`${sid}\n${resource}`, { failure, until: this.#now() + ttlMs });
  }

  /** Forgets expired entries. */
  prune(now: number): void {
    for (const [sid, entries] of this.#sessions) {
      for (const [resource, entry] of entries) {
        if (entry.expiresAt <= now) entries.delete(resource);
      }
      if (entries.size === 0) this.#sessions.delete(sid);
    }
    for (const [idpSid, known] of this.#idpSessions) {
      if (known.until <= now) this.#idpSessions.delete(idpSid);
    }
    for (const [key, failure] of this.#failures) {
      if (failure.until <= now) this.#failures.delete(key);
    }
  }
}

const tokensKey = (sid: string) => `${redisKeyPrefix}tokens:${sid}`;
const lockKey = (sid: string, resource: string) => `${redisKeyPrefix}renewing:${sid}:${resource}`;
const failureKey = (sid: string, resource: string) =>
  `${redisKeyPrefix}renewal-failed:${sid}:${resource}`;
const idpSidsKey = (idpSid: string) => `${redisKeyPrefix}idp-sessions:${idpSid}`;

/**
 * Redis: every instance sees every token, and a renewal started on one instance is awaited
 * by the others. One hash per session (`HGET`/`HSET`), its key expiring with the
 * longest-lived token in it; each value carries its own expiry too (sealed, checked on read).
 */
export class RedisAccessTokenCache implements AccessTokenCache {
  readonly #connection: RedisConnection;

  constructor(connection: RedisConnection) {
    this.#connection = connection;
  }

  get(sid: string, resource: string): Promise<string | undefined> {
    return this.#connection.run(
      async (redis) => (await redis.hget(tokensKey(sid), resource)) ?? undefined,
    );
  }

  async set(sid: string, resource: string, sealed: string, expiresAt: number, now: number) {
    const ms = Math.ceil(expiresAt - now);
    if (ms <= 0) return;
    const key = tokensKey(sid);
    // NX sets a first expiry, GT only ever extends it (Redis 7): the key outlives no token.
    await this.#connection.run((redis) =>
      redis
        .multi()
        .hset(key, resource, sealed)
        .pexpire(key, ms, "NX")
        .pexpire(key, ms, "GT")
        .del(failureKey(sid, resource))
        .exec(),
    );
  }

  async deleteSession(sid: string): Promise<void> {
    await this.#connection.run((redis) => redis.del(tokensKey(sid)));
  }

  async linkIdpSession(idpSid: string, sid: string, until: number, now: number) {
    const ms = Math.ceil(until - now);
    if (ms <= 0) return;
    const key = idpSidsKey(idpSid);
    await this.#connection.run((redis) =>
      redis.multi().sadd(key, sid).pexpire(key, ms, "NX").pexpire(key, ms, "GT").exec(),
    );
  }

  async deleteIdpSession(idpSid: string): Promise<void> {
    const key = idpSidsKey(idpSid);
    const sids = await this.#connection.run((redis) => redis.smembers(key));
    await this.#connection.run((redis) => redis.del(key, ...sids.map((sid) => tokensKey(sid))));
  }

  async lock(sid: string, resource: string, ttlMs: number): Promise<LockHandle | undefined> {
    const key = lockKey(sid, resource);
    const owner = `${process.pid}:${Math.random().toString(36).slice(2)}`;
    // Taking the lock clears the previous renewal's failure, atomically, so a waiter never
    // mistakes an old failure for this renewal's.
    const taken = await this.#connection.run((redis) =>
      redis.eval(
        "if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then redis.call('del', KEYS[2]) return 1 end return 0",
        2,
        key,
        failureKey(sid, resource),
        owner,
        String(ttlMs),
      ),
    );
    if (taken !== 1) return undefined;
    return {
      unlock: async () => {
        // Only our own lock: after a slow renewal it may have expired and another instance
        // may hold it now.
        await this.#connection
          .run((redis) =>
            redis.eval(
              "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
              1,
              key,
              owner,
            ),
          )
          .catch(() => {});
      },
    };
  }

  async peek(sid: string, resource: string): Promise<RenewalProgress> {
    const results = await this.#connection.run((redis) =>
      redis
        .multi()
        .hget(tokensKey(sid), resource)
        .exists(lockKey(sid, resource))
        .get(failureKey(sid, resource))
        .exec(),
    );
    const value = (index: number) => results?.[index]?.[1];
    return {
      sealed: (value(0) as string | null) ?? undefined,
      locked: value(1) === 1,
      failure: (value(2) as string | null) ?? undefined,
    };
  }

  async recordFailure(sid: string, resource: string, failure: string, ttlMs: number) {
    await this.#connection.run((redis) =>
      redis.set(failureKey(sid, resource), failure, "PX", ttlMs),
    );
  }
}
