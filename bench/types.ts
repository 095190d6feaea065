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

/** One server measured in a phase: the BFF, a peer, a bare framework, Graph directly. */
export interface SideResult extends Figures {
  /** Unique within its phase: "bare", "bff", "express-session", "graph-direct", … */
  id: string;
  title: string;
  /** The process that answered (its CPU is `serverCpuUs`). */
  server: string;
  unit: "request" | "sign-in";
}

/**
 * One measured load phase: its sides ran at the same connection count in slices that
 * alternated with each other, so that all of them saw the same machine. Ratios divide by
 * the side named `reference` (the framework's floor, or the floor of what is compared).
 */
export interface PhaseResult {
  id: string;
  title: string;
  connections: number;
  reference: string;
  sides: SideResult[];
  /** Steal time over the phase, % of all CPU time (NaN off Linux). */
  stealPercent: number;
  /** CPU used by processes outside the benchmark over the phase, % of the machine. */
  otherCpuPercent: number;
}

/** A phase whose target does not exist yet (or could not be reached): why it did not run. */
export interface SkippedPhase {
  id: string;
  title: string;
  reason: string;
}

export interface Machine {
  cores: number;
  /** The CPU model, as the kernel names it. */
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  commit: string;
  /** Steal time over the whole measured run, % of all CPU time (NaN off Linux). */
  stealPercent: number;
  /** CPU used by processes outside the benchmark over the run, % of the machine. */
  otherCpuPercent: number;
  /** Which CPUs the servers and the load ran on (pinning.ts); absent in older results. */
  pinning?: string;
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

/** The BFF's own time on /api/me: its latency minus Graph's, measured side by side. */
export interface Overhead {
  method: string;
  /** With one connection: no queueing, the per-request cost. The target uses this. */
  serialMs: number;
  /** With the load phases' connection count: includes queueing in the BFF. */
  underLoadMs: number;
}

/** The shipped BFF's resident memory (VmRSS) at each point, and its peak (VmHWM). */
export interface MemoryReport {
  readyRssBytes: number;
  /** After every measured phase: the first pass. */
  firstPassRssBytes: number;
  /** After the BFF's loaded sides ran once more, identically: the second pass. */
  secondPassRssBytes: number;
  peakRssBytes: number;
  /**
   * The second pass, side by side with the first: each repeated side, made to answer as many
   * requests again (its warm-up's share included), within three times its first seconds.
   */
  repeated: { phase: string; side: string; amount: number; first: Figures; second: Figures }[];
}

/**
 * Log lines the BFF "with request logging off" wrote per request it answered, counted on
 * its stdout: the proof that LOG_LEVEL=warn means no request logging.
 */
export interface QuietLogReport {
  setting: string;
  lines: number;
  requests: number;
}

export type TargetStatus = "met" | "missed" | "not measured";

export interface TargetCheck {
  name: string;
  goal: string;
  actual: string;
  status: TargetStatus;
}

export interface BenchResults {
  version: 3;
  machine: Machine;
  settings: {
    seconds: number;
    warmupSeconds: number;
    /** Each phase's sides alternate this many times. */
    slices: number;
    connections: number;
    users: number;
  };
  phases: PhaseResult[];
  skipped: SkippedPhase[];
  overhead: Overhead;
  cookies: CookieReport;
  spa: SpaReport | null;
  memory: MemoryReport;
  quietLog: QuietLogReport;
  /** What each probe request showed, and anything else the reader should know. */
  notes: string[];
  targets: TargetCheck[];
}
