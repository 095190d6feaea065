// What the orchestrator asks the load worker to run, over the IPC channel.
import type { PhaseResult } from "./types.ts";

/** The process that answers a phase's requests: its CPU time is charged to the phase. */
export type ServerName = "baseline" | "bff" | "emulator";

interface Common {
  id: string;
  title: string;
  server: ServerName;
  connections: number;
  seconds: number;
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

/** What the worker can measure; the orchestrator adds the server's CPU time. */
export type Measured = Omit<PhaseResult, "server" | "serverCpuUs">;

export type LoadReply = { result: Measured } | { error: string };
