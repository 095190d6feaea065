// Sums the slices of one side of a phase into its Figures.
import { LatencySamples } from "./latency.ts";
import type { Figures } from "./types.ts";

export interface Slice {
  seconds: number;
  statusCodes: Record<string, number>;
  /** Requests that completed with a status counted as a failure (non-2xx, failed sign-ins). */
  failed: number;
  errors: number;
  /** CPU milliseconds the serving process used during the slice. */
  cpuMs: number;
}

export class Tally {
  /** Latencies of successful requests: the slice runner adds them as they complete. */
  readonly samples = new LatencySamples();
  #seconds = 0;
  #failed = 0;
  #errors = 0;
  #cpuMs = 0;
  #statusCodes: Record<string, number> = {};

  add(slice: Slice): void {
    this.#seconds += slice.seconds;
    this.#failed += slice.failed;
    this.#errors += slice.errors;
    this.#cpuMs += slice.cpuMs;
    for (const [code, count] of Object.entries(slice.statusCodes)) {
      this.#statusCodes[code] = (this.#statusCodes[code] ?? 0) + count;
    }
  }

  figures(): Figures {
    const ok = this.samples.count;
    const [p50Ms = 0, p99Ms = 0] = this.samples.percentiles(50, 99);
    return {
      seconds: this.#seconds,
      ok,
      failed: this.#failed,
      errors: this.#errors,
      statusCodes: this.#statusCodes,
      perSecond: this.#seconds > 0 ? ok / this.#seconds : 0,
      p50Ms,
      p99Ms,
      serverCpuUs: ok > 0 ? (this.#cpuMs * 1000) / ok : 0,
    };
  }
}
