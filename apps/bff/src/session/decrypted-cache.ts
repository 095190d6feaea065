// A small bounded map from a sealed value to what it decrypts to. Sound because a sealed
// value authenticates itself: the same bytes always open to the same payload under the same
// keys, and a tampered one is never in the map. Bounded so that no flood of distinct values
// grows memory; the oldest entry goes first.

export class DecryptedCache<T> {
  readonly #entries = new Map<string, T>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(sealed: string): T | undefined {
    return this.#entries.get(sealed);
  }

  set(sealed: string, value: T): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(sealed, value);
  }
}
