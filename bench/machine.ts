// What the numbers were measured on: ratios travel between machines, absolute figures don't.
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import type { Machine } from "./types.ts";

export function describeMachine(
  repoRoot: string,
  date: Date,
  load: { stealPercent: number; otherCpuPercent: number },
  pinning: string,
): Machine {
  // Every CPU of the machine: this process is pinned to one of them by then (pinning.ts).
  const all = cpus();
  return {
    cores: all.length,
    cpu: all[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: date.toISOString(),
    commit: gitCommit(repoRoot),
    ...load,
    pinning,
  };
}

/** Short commit, with "+changes" when the working tree differs from it. */
function gitCommit(cwd: string): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
    const commit = git("rev-parse", "--short", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no") ? `${commit}+changes` : commit;
  } catch {
    return "unknown";
  }
}
