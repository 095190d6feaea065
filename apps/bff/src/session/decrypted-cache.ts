// A small bounded map from a sealed value to what it decrypts to. Sound because a sealed
// value authenticates itself: the same bytes always open to the same payload under the same
// keys, and a tampered one is never in the map. Bounded so that no flood of distinct values
// grows memory; the oldest entry goes first.

/**
 * Entries are found by the value's last characters (a sealed value ends with its random
 * nonce) and answer only for the whole value they were stored with: hashing the whole
 * ~600-character value on every lookup was this map's one visible cost in a profile of
 * `/auth/session`, and comparing two strings is cheaper than hashing one.
 */
const keyLength = 32;

interface Entry<T> {
  sealed: string;
  value: T;
}

export class DecryptedCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(sealed: string): T | undefined {
    const entry = this.#entries.get(sealed.slice(-keyLength));
    return entry !== undefined && entry.sealed === sealed ? entry.value : undefined;
  }

  set(sealed: string, value: T): void {
    const key = sealed.slice(-keyLength);
    if (this.#entries.size >= this.#max && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { sealed, value });
  }
}
