// Ended sessions in Redis, so every BFF instance behind a load balancer refuses a cookie that
// was logged out on any one of them. Each entry expires by itself at the session's absolute
// expiry, after which the cookie is refused anyway.
import { apiErrorCodes } from "@entra-bff/contract";
import { Redis } from "ioredis";
import { BffError } from "../errors.ts";
import { idpLogoutClockSkewMs, type RevocationStore, type SessionRef } from "./revocation.ts";

/** Every key this store writes starts with this. */
export const redisKeyPrefix = "entra-bff:";
const sessionKey = (sid: string) => `${redisKeyPrefix}revoked:${sid}`;
/** Value: when Entra signed the session out (epoch ms), or 0 while it has not. */
const idpSessionKey = (idpSid: string) => `${redisKeyPrefix}idp-session:${idpSid}`;

export interface RedisRevocationOptions {
  /** Connect and per-command limit: a session check must not hang on a dead Redis. */
  timeoutMs?: number;
}

/**
 * Fails closed: when Redis does not answer, every method throws a 503
 * `session_store_unavailable` instead of guessing, because accepting a possibly revoked
 * cookie is worse than a short outage of signed-in requests.
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #redis: Redis;

  constructor(url: string, options: RedisRevocationOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 1000;
    this.#redis = new Redis(url, {
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      // Queued commands would wait for a reconnect; answer 503 at once instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors surface as failed commands; without a listener ioredis logs to stderr.
    this.#redis.on("error", () => {});
  }

  /** Connects (bounded by the timeout); failure is not fatal: commands fail closed until Redis is back. */
  async connect(): Promise<void> {
    await this.#redis.connect().catch(() => {});
  }

  async revoke(sid: string, until: number, now = Date.now()): Promise<void> {
    const seconds = Math.ceil((until - now) / 1000);
    if (seconds <= 0) return;
    await this.#run(() => this.#redis.set(sessionKey(sid), "1", "EX", seconds));
  }

  async startIdpSession(idpSid: string, until: number, now: number): Promise<void> {
    const seconds = Math.ceil((until - now) / 1000);
    if (seconds <= 0) return;
    const key = idpSessionKey(idpSid);
    // A second sign-in through the same Entra session keeps its state, and its lifetime
    // only grows (EXPIRE GT: Redis 7).
    await this.#run(() =>
      this.#redis.multi().set(key, "0", "EX", seconds, "NX").expire(key, seconds, "GT").exec(),
    );
  }

  async endIdpSession(idpSid: string, at: number): Promise<boolean> {
    // XX: only an Entra session a sign-in recorded; a made-up id writes nothing.
    const result = await this.#run(() =>
      this.#redis.set(idpSessionKey(idpSid), String(at), "KEEPTTL", "XX"),
    );
    return result === "OK";
  }

  async isEnded(session: SessionRef, _now: number): Promise<boolean> {
    if (session.idpSid === undefined) {
      return (await this.#run(() => this.#redis.exists(sessionKey(session.sid)))) === 1;
    }
    const idpSid = session.idpSid;
    const [revoked, idpEndedAt] = await this.#run(() =>
      this.#redis.mget(sessionKey(session.sid), idpSessionKey(idpSid)),
    );
    if (revoked !== null && revoked !== undefined) return true;
    const endedAt = Number(idpEndedAt ?? 0);
    return endedAt > 0 && session.createdAt <= endedAt + idpLogoutClockSkewMs;
  }

  async close(): Promise<void> {
    if (this.#redis.status === "end") return;
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new BffError(
        apiErrorCodes.sessionStoreUnavailable,
        503,
        "The session store is unavailable, so the session cannot be checked. Try again shortly.",
        { cause, retryAfter: "5" },
      );
    }
  }
}
