// Ended sessions in Redis, so every BFF instance behind a load balancer refuses a cookie that
// was logged out on any one of them. Each entry expires by itself at the session's absolute
// expiry, after which the cookie is refused anyway.
import {
  RedisConnection,
  type RedisConnectionOptions,
  redisKeyPrefix,
} from "./redis-connection.ts";

export { redisKeyPrefix };

import { idpLogoutClockSkewMs, type RevocationStore, type SessionRef } from "./revocation.ts";

const sessionKey = (sid: string) => `${redisKeyPrefix}revoked:${sid}`;
/** Value: when Entra signed the session out (epoch ms), or 0 while it has not. */
const idpSessionKey = (idpSid: string) => `${redisKeyPrefix}idp-session:${idpSid}`;
const stateKey = (stateId: string) => `${redisKeyPrefix}used-state:${stateId}`;

/**
 * Fails closed: when Redis does not answer, every method throws a 503
 * `session_store_unavailable` instead of guessing, because accepting a possibly revoked
 * cookie is worse than a short outage of signed-in requests.
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #connection: RedisConnection;
  /** Closed by this store when it opened the connection itself (a URL was given). */
  readonly #owned: boolean;

  constructor(connection: string | RedisConnection, options: RedisConnectionOptions = {}) {
    this.#owned = typeof connection === "string";
    this.#connection =
      typeof connection === "string" ? new RedisConnection(connection, options) : connection;
  }

  /** Connects (bounded by the timeout); failure is not fatal: commands fail closed until Redis is back. */
  async connect(): Promise<void> {
    await this.#connection.connect();
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

  async consumeState(stateId: string, until: number, now: number): Promise<boolean> {
    const ms = Math.ceil(until - now);
    if (ms <= 0) return false;
    // NX: the first callback with this state wins; a replay finds the key and is refused.
    const result = await this.#run(() => this.#redis.set(stateKey(stateId), "1", "PX", ms, "NX"));
    return result === "OK";
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#connection.close();
  }

  get #redis() {
    return this.#connection.client;
  }

  #run<T>(command: () => Promise<T>): Promise<T> {
    return this.#connection.run(command);
  }
}
