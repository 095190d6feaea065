// One Redis connection for everything the BFF instances share: ended sessions, consumed
// sign-in states, cached access tokens and renewal locks. Fails closed: a command Redis does
// not answer in time is a 503 `session_store_unavailable`, never a guess.
import { apiErrorCodes } from "@entra-bff/contract";
import { Redis } from "ioredis";
import { BffError } from "../errors.ts";

/** Every key the BFF writes starts with this. */
export const redisKeyPrefix = "entra-bff:";

export interface RedisConnectionOptions {
  /** Connect and per-command limit: a session check must not hang on a dead Redis. */
  timeoutMs?: number;
}

export class RedisConnection {
  readonly client: Redis;

  constructor(url: string, options: RedisConnectionOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 1000;
    this.client = new Redis(url, {
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      // Queued commands would wait for a reconnect; answer 503 at once instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors surface as failed commands; without a listener ioredis logs to stderr.
    this.client.on("error", () => {});
  }

  /** Connects (bounded by the timeout); failure is not fatal: commands fail closed until Redis is back. */
  async connect(): Promise<void> {
    await this.client.connect().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.client.status === "end") return;
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Runs a command; any failure becomes a 503 `session_store_unavailable`. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await command(this.client);
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
