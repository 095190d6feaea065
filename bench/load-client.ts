// The orchestrator's side of the load worker: one child process, one group at a time.
import { type ChildProcess, fork } from "node:child_process";
import {
  type GroupFigures,
  type GroupLoad,
  groupTimeLimitMs,
  type LoadReply,
} from "./load-spec.ts";
import { stop, tailOf, track } from "./processes.ts";

export interface LoadWorker {
  /** Its process: the benchmark's CPU, not a server's. */
  pid: number;
  run(group: GroupLoad): Promise<GroupFigures>;
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
    pid: child.pid!,
    run(group) {
      const limitMs = groupTimeLimitMs(group);
      return new Promise<GroupFigures>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${group.id} did not finish within ${limitMs / 1000} s`));
        }, limitMs);
        const onMessage = (reply: LoadReply) => {
          cleanup();
          if ("error" in reply) reject(new Error(`${group.id}: ${reply.error}`));
          else resolve(reply.result);
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`the load worker exited (${code}) in ${group.id}:\n${stderr()}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.off("message", onMessage);
          child.off("exit", onExit);
        };
        child.on("message", onMessage);
        child.once("exit", onExit);
        child.send(group);
      });
    },
    async close() {
      if (child.connected) child.disconnect();
      await stop(child);
    },
  };
}
