// What the orchestrator asks the load worker to run, over the IPC channel.
import type { Figures } from "./types.ts";

/** The process that answers a phase's requests: its CPU time is charged to the phase. */
export type ServerName = "baseline" | "bff" | "emulator";

interface Common {
  id: string;
  title: string;
  server: ServerName;
  connections: number;
}

export interface HttpLoad extends Common {
  kind: "http";
  /** Origin to connect to. */
  url: string;
  /** Cycled in order by every connection, each starting at a different entry. */
  requests: { method: "GET"; path: string; headers: Record<string, string> }[];
}

export interface SignInLoad extends Common {
  kind: "sign-in";
  bffOrigin: string;
  /** Users to sign in, in turn. */
  upns: string[];
}

export type LoadSpec = HttpLoad | SignInLoad;

/**
 * A phase and its baseline, run in `slices` alternating slices (baseline first, then in
 * A-B-B-A order, which cancels a steady drift of the machine) after `warmupSeconds` of each.
 */
export interface PairedLoad {
  target: LoadSpec;
  baseline: HttpLoad;
  /** Measured seconds of each side, split evenly into the slices. */
  seconds: number;
  slices: number;
  warmupSeconds: number;
  /** The process of each server, whose CPU time is read from /proc. */
  pids: Record<ServerName, number>;
}

export interface PairedFigures {
  target: Figures;
  baseline: Figures;
}

export type LoadReply = { result: PairedFigures } | { error: string };
