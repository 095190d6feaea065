/** The shapes the benchmark records: one JSON file per run, read back by `--compare`. */

/** What one side of a phase measured, summed over its slices. */
export interface Figures {
  /** Seconds the measurement actually ran. */
  seconds: number;
  /** Completed 2xx responses (sign-in: sign-ins that ended with a session). */
  ok: number;
  /** Completed responses that were not 2xx (sign-in: flows that failed at any step). */
  failed: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** `ok` per second. */
  perSecond: number;
  /** Latency of the successful requests, milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) of the serving process per successful request, microseconds. */
  serverCpuUs: number;
}

/**
 * One measured load phase. `unit` is "request" except for the full sign-in. Its baseline ran
 * at the same connection count in slices alternating with the phase's own, so that both
 * saw the same machine: every ratio divides by it.
 */
export interface PhaseResult extends Figures {
  id: string;
  title: string;
  unit: "request" | "sign-in";
  connections: number;
  /** The process that answered (BFF, or the emulator for Graph directly). */
  server: string;
  baseline: Figures;
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  commit: string;
}

export interface CookieSize {
  name: string;
  /** Bytes of `name=value`, what the browser sends back and stores against its 4096 limit. */
  pairBytes: number;
  /** Bytes of the whole Set-Cookie line (with attributes), which the BFF itself caps at 4096. */
  setCookieBytes: number;
}

export interface CookieReport {
  cookies: CookieSize[];
  /** Bytes of the `Cookie` header value a signed-in browser sends to /api/*. */
  headerBytes: number;
}

export interface AssetSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface SpaReport {
  js: AssetSize[];
  css: AssetSize[];
  jsGzipBytes: number;
  cssGzipBytes: number;
}

/** The BFF's own time on /api/me: its latency minus Graph's, measured back to back. */
export interface Overhead {
  method: string;
  /** With one connection: no queueing, the per-request cost. The target uses this. */
  serialMs: number;
  /** With the load phases' connection count: includes queueing in the BFF. */
  underLoadMs: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

export interface BenchResults {
  version: 2;
  machine: Machine;
  settings: {
    seconds: number;
    warmupSeconds: number;
    /** Each phase and its baseline alternate this many times. */
    slices: number;
    connections: number;
    users: number;
  };
  phases: PhaseResult[];
  overhead: Overhead;
  cookies: CookieReport;
  spa: SpaReport | null;
  /** The BFF's resident memory once ready, after the run, and its peak. */
  bff: { startRssBytes: number; rssBytes: number; peakRssBytes: number };
  /** What each probe request showed, e.g. whether the response re-issued cookies. */
  notes: string[];
  targets: TargetCheck[];
}
