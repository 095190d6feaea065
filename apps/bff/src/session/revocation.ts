// Ended sessions. A cookie is self-contained and cannot be recalled, so a copy taken before
// logout would still work; the BFF remembers each ended session id until the session's
// absolute expiry (after which the cookie is refused anyway).

export interface RevocationStore {
  revoke(sid: string, until: number): Promise<void>;
  isRevoked(sid: string, now: number): Promise<boolean>;
}

/**
 * One process's memory: enough for a single instance. Several instances behind a load
 * balancer need a shared store (REDIS_URL, issue 6) implementing the same interface.
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #until = new Map<string, number>();

  async revoke(sid: string, until: number): Promise<void> {
    this.#until.set(sid, until);
  }

  async isRevoked(sid: string, now: number): Promise<boolean> {
    const until = this.#until.get(sid);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(sid);
    return false;
  }

  /** Forgets sessions past their absolute expiry. */
  prune(now: number): void {
    for (const [sid, until] of this.#until) if (until <= now) this.#until.delete(sid);
  }
}
