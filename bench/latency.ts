// Latency samples at full resolution. autocannon's own histogram keeps whole milliseconds,
// too coarse for a sub-millisecond baseline, so the load worker records every response here.

export class LatencySamples {
  #values = new Float64Array(1 << 16);
  #count = 0;

  add(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = ms;
  }

  get count(): number {
    return this.#count;
  }

  /** Nearest-rank percentiles (0–100) in milliseconds; 0 when there are no samples. */
  percentiles(...ranks: number[]): number[] {
    const sorted = this.#values.slice(0, this.#count).sort();
    return ranks.map((rank) => nearestRank(sorted, rank));
  }
}

export function nearestRank(sorted: ArrayLike<number>, rank: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length, Math.max(1, Math.ceil((rank / 100) * sorted.length)));
  return sorted[index - 1]!;
}
