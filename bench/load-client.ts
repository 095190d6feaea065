// The orchestrator's side of the load worker: one child process, one phase at a time.
import { type ChildProcess, fork } from "node:child_process";
import { cpuTimeMs } from "./cpu.ts";
import type { LoadReply, LoadSpec, Measured, ServerName } from "./load-spec.ts";
import { stop, tailOf, track } from "./processes.ts";
import type { PhaseResult } from "./types.ts";

export interface LoadWorker {
  run(spec: LoadSpec): Promise<Measured>;
  close(): Promise<void>;
}

/** Forks bench/load-worker.ts; `caFile` lets it trust the emulator's https (Graph, directly). */
export function startLoadWorker(caFile: string): LoadWorker {
  const child: ChildProcess = track(
    fork(new URL("./load-worker.ts", import.meta.url).pathname, {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    }),
  );
  const stderr = tailOf(child);
  child.stderr?.on("data", (chunk: string) => process.stderr.write(chunk));
  return {
    run(spec) {
      // Generous: the phase, and the longest a straggling request may take.
      const limitMs = spec.seconds * 1000 + 30_000;
      return new Promise<Measured>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`load phase ${spec.id} did not finish within ${limitMs / 1000} s`));
        }, limitMs);
        const onMessage = (reply: LoadReply) => {
          cleanup();
          if ("error" in reply) reject(new Error(`load phase ${spec.id}: ${reply.error}`));
          else resolve(reply.result);
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`the load worker exited (${code}) during ${spec.id}:\n${stderr()}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.off("message", onMessage);
          child.off("exit", onExit);
        };
        child.on("message", onMessage);
        child.once("exit", onExit);
        child.send(spec);
      });
    },
    async close() {
      if (child.connected) child.disconnect();
      await stop(child);
    },
  };
}

/**
 * Runs `spec` after `warmupSeconds` of the same load (discarded, so that the JIT and the
 * connection pools are warm), charging the serving process's CPU time to it. `pids` maps
 * each server to its process; undefined means this process (the in-process emulator).
 */
export async function measurePhase(
  worker: LoadWorker,
  spec: LoadSpec,
  warmupSeconds: number,
  pids: Record<ServerName, number | undefined>,
): Promise<PhaseResult> {
  if (warmupSeconds > 0) await worker.run({ ...spec, seconds: warmupSeconds });
  const pid = pids[spec.server];
  const before = await cpuTimeMs(pid);
  const measured = await worker.run(spec);
  const cpuMs = (await cpuTimeMs(pid)) - before;
  return {
    ...measured,
    server: spec.server,
    serverCpuUs: measured.ok > 0 ? (cpuMs * 1000) / measured.ok : 0,
  };
}
