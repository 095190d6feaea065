// Servers on one core, everything else (this process, the emulator it hosts, the load worker)
// on another. Unpinned on a 2-core machine, a server shares its core with the load generator
// and the scheduler's choices move the ratios more than the servers' own differences do;
// pinned, each server's CPU per request is its own and a saturated server's req/s is what
// one core gives it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export type Pinning =
  | { pinned: true; serverCpu: number; loadCpu: number }
  | { pinned: false; reason: string };

/** Whether and how to pin, given the CPUs this process may use and whether `taskset` runs. */
export function choosePinning(allowedCpus: number[], hasTaskset: boolean): Pinning {
  const [loadCpu, serverCpu] = allowedCpus;
  if (loadCpu === undefined || serverCpu === undefined) {
    return { pinned: false, reason: "one core only" };
  }
  if (!hasTaskset) return { pinned: false, reason: "no taskset (util-linux) on this machine" };
  return { pinned: true, serverCpu, loadCpu };
}

/** Linux's CPU list format (`Cpus_allowed_list`, `taskset -c`): "0-3,8" → [0, 1, 2, 3, 8]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The CPUs a process (or thread) may run on, as Linux lists them ("0-1", "1"); Linux only. */
export function allowedCpuList(pid: number | "self"): string {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? "";
}

/** The machine's pinning: taskset from util-linux, on Linux with two allowed CPUs or more. */
export function detectPinning(): Pinning {
  if (process.platform !== "linux") return { pinned: false, reason: process.platform };
  let allowed: number[] = [];
  try {
    allowed = parseCpuList(allowedCpuList("self"));
  } catch {
    return { pinned: false, reason: "no /proc/self/status" };
  }
  let hasTaskset = true;
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
  } catch {
    hasTaskset = false;
  }
  return choosePinning(allowed, hasTaskset);
}

/**
 * Moves this process and its threads to the load core; the processes it starts afterwards
 * (the load worker) inherit it.
 */
export function pinThisProcess(pinning: Pinning): void {
  if (!pinning.pinned) return;
  execFileSync("taskset", ["-a", "-cp", String(pinning.loadCpu), String(process.pid)], {
    stdio: "ignore",
  });
}

/**
 * The command that starts a server on the server core: taskset execs it, so the pid is the
 * server's own and every thread it creates stays on that core.
 */
export function serverCommand(
  pinning: Pinning,
  command: string,
  args: string[],
): { command: string; args: string[] } {
  if (!pinning.pinned) return { command, args };
  return { command: "taskset", args: ["-c", String(pinning.serverCpu), command, ...args] };
}

/** For the results: where the numbers' processes ran. */
export function describePinning(pinning: Pinning): string {
  return pinning.pinned
    ? `servers pinned to CPU ${pinning.serverCpu}; the load generator, the emulator and the orchestrator to CPU ${pinning.loadCpu}`
    : `not pinned (${pinning.reason})`;
}
