// Ended sessions. A cookie is self-contained and cannot be recalled, so a copy taken before
// logout would still work; the BFF remembers each ended session until it would have expired
// anyway. Two kinds of entry:
// - a BFF session id ended by POST /auth/logout (the user's own browser);
// - an identity provider session (`sid` claim) ended at Entra, reported by front-channel
//   logout: that request comes from an iframe without our cookies, so the BFF cannot clear
//   them; it refuses every session that IdP session started before the logout instead.
//   Front-channel logout is unauthenticated by design (any page may load the iframe URL), so
//   it only marks Entra sessions a sign-in here recorded: a made-up id writes nothing, and a
//   flood of them cannot grow the store or push out a real entry.

/** What a revocation check needs to know about a session. */
export interface SessionRef {
  sid: string;
  /** The ID token's `sid` claim: the identity provider's session, when it sent one. */
  idpSid?: string | undefined;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface RevocationStore {
  /** Ends BFF session `sid`; remembered until `until` (its absolute expiry). */
  revoke(sid: string, until: number): Promise<void>;
  /** A sign-in through Entra session `idpSid`: front-channel logout may name it until `until`. */
  startIdpSession(idpSid: string, until: number, now: number): Promise<void>;
  /**
   * Ends every session the identity provider session `idpSid` started up to `at`. Returns
   * false, writing nothing, for an Entra session no sign-in here recorded (or long expired).
   */
  endIdpSession(idpSid: string, at: number): Promise<boolean>;
  /** Whether the session was ended by either kind of entry. One round trip. */
  isEnded(session: SessionRef, now: number): Promise<boolean>;
  /**
   * Records that the sign-in transaction `stateId` (a digest of its `state`) was used, until
   * `until`. True the first time; false for a replay, whatever cookie it carries.
   */
  consumeState(stateId: string, until: number, now: number): Promise<boolean>;
}

/**
 * Sessions an ended Entra session started up to this long after the logout (by the clock of
 * the instance that recorded it) are refused too: instances' clocks differ a little, and a
 * sign-in after an Entra logout gets a new Entra session id anyway, so this costs nothing.
 */
export const idpLogoutClockSkewMs = 5 * 60_000;

/**
 * Entra sessions remembered in memory: one per sign-in, so only sign-ins (each a full round
 * trip through Entra) add any; beyond this the oldest is forgotten (its sessions then no
 * longer end by front-channel logout, only by their own expiry).
 */
export const maxIdpEntries = 100_000;
/** Used sign-in states remembered in memory (each for at most the 10-minute transaction life). */
export const maxUsedStates = 100_000;

/**
 * One process's memory: enough for a single instance. Several instances behind a load
 * balancer need the shared store (REDIS_URL) implementing the same interface.
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #sessions = new Map<string, number>();
  /** Used sign-in states → until when to remember them (insertion order: oldest first). */
  readonly #usedStates = new Map<string, number>();
  /**
   * idpSid → when it was signed out at Entra (0: not yet) and until when to remember it.
   * Map order is insertion order, so the first key is the oldest.
   */
  readonly #idpSessions = new Map<string, { endedAt: number; until: number }>();

  async revoke(sid: string, until: number): Promise<void> {
    this.#sessions.set(sid, until);
  }

  async startIdpSession(idpSid: string, until: number, now: number): Promise<void> {
    const known = this.#idpSessions.get(idpSid);
    this.#idpSessions.delete(idpSid);
    const live = known !== undefined && known.until > now;
    this.#idpSessions.set(idpSid, {
      endedAt: live ? known.endedAt : 0,
      until: live ? Math.max(known.until, until) : until,
    });
    if (this.#idpSessions.size > maxIdpEntries) {
      const oldest = this.#idpSessions.keys().next().value;
      if (oldest !== undefined) this.#idpSessions.delete(oldest);
    }
  }

  async endIdpSession(idpSid: string, at: number): Promise<boolean> {
    const known = this.#idpSessions.get(idpSid);
    if (known === undefined || known.until <= at) return false;
    known.endedAt = at;
    return true;
  }

  async isEnded(session: SessionRef, now: number): Promise<boolean> {
    const until = this.#sessions.get(session.sid);
    if (until !== undefined) {
      if (until > now) return true;
      this.#sessions.delete(session.sid);
    }
    if (session.idpSid === undefined) return false;
    const known = this.#idpSessions.get(session.idpSid);
    if (known === undefined) return false;
    if (known.until <= now) {
      this.#idpSessions.delete(session.idpSid);
      return false;
    }
    return known.endedAt > 0 && session.createdAt <= known.endedAt + idpLogoutClockSkewMs;
  }

  async consumeState(stateId: string, until: number, now: number): Promise<boolean> {
    const known = this.#usedStates.get(stateId);
    if (known !== undefined && known > now) return false;
    this.#usedStates.set(stateId, until);
    // Only sign-ins that reached the callback with a valid transaction cookie add entries, and
    // each lives 10 minutes; the cap bounds memory against a flood of them anyway.
    if (this.#usedStates.size > maxUsedStates) {
      for (const [id, expiry] of this.#usedStates) {
        if (expiry <= now || this.#usedStates.size > maxUsedStates) this.#usedStates.delete(id);
        else break;
      }
    }
    return true;
  }

  /** Forgets entries past their expiry. */
  prune(now: number): void {
    for (const [id, until] of this.#usedStates) if (until <= now) this.#usedStates.delete(id);
    for (const [sid, until] of this.#sessions) if (until <= now) this.#sessions.delete(sid);
    for (const [idpSid, known] of this.#idpSessions) {
      if (known.until <= now) this.#idpSessions.delete(idpSid);
    }
  }
}

/**
 * An identity provider session id the BFF will store: Entra's are GUIDs. Anything longer or
 * stranger is refused rather than written to Redis keys or logs.
 */
export function isIdpSessionId(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9._~:-]{1,128}$/.test(value);
}
