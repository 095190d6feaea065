// The orchestrator's side of the load worker: one child process, one phase at a time.
import { type ChildProcess, fork } from "node:child_process";
import type { LoadReply, PairedFigures, PairedLoad } from "./load-spec.ts";
import { stop, tailOf, track } from "./processes.ts";

export interface LoadWorker {
  run(paired: PairedLoad): Promise<PairedFigures>;
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
    run(paired) {
      // Generous: warm-up and both sides, plus the longest a straggling request may take
      // in each slice.
      const limitMs = (2 * (paired.warmupSeconds + paired.seconds) + 10 * paired.slices) * 1000;
      return new Promise<PairedFigures>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${paired.target.id} did not finish within ${limitMs / 1000} s`));
        }, limitMs);
        const onMessage = (reply: LoadReply) => {
          cleanup();
          if ("error" in reply) reject(new Error(`${paired.target.id}: ${reply.error}`));
          else resolve(reply.result);
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(
            new Error(`the load worker exited (${code}) in ${paired.target.id}:\n${stderr()}`),
          );
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.off("message", onMessage);
          child.off("exit", onExit);
        };
        child.on("message", onMessage);
        child.once("exit", onExit);
        child.send(paired);
      });
    },
    async close() {
      if (child.connected) child.disconnect();
      await stop(child);
    },
  };
}
