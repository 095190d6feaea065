// Every child process the benchmark starts, so that all of them end with it: on success,
// on an error, on Ctrl-C, and when the time budget runs out.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { constants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

const children = new Set<ChildProcess>();

export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export interface Watchdog {
  /** From now on, allow `budgetMs` more (e.g. once the plan, and so its length, is known). */
  extend(budgetMs: number): void;
  disarm(): void;
}

/**
 * Kills what is still running when the process exits, however it exits, and exits when the
 * time budget runs out.
 */
export function installCleanup(budgetMs: number): Watchdog {
  process.once("exit", () => {
    for (const child of children) child.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every benchmark process\n`);
      process.exit(128 + constants.signals[signal]);
    });
  }
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      process.stderr.write(`bench: gave up after ${seconds} s (time budget)\n`);
      process.exit(1);
    }, ms);
  };
  arm(budgetMs);
  return { extend: arm, disarm: () => clearTimeout(timer) };
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Keeps the last `limit` characters a child wrote to stderr, for error messages. */
export function tailOf(child: ChildProcess, limit = 4000): () => string {
  let tail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-limit);
  });
  return () => tail.trim();
}

/** Counts the lines a child writes to stdout (the data itself is dropped). */
export function countLines(child: ChildProcess): () => number {
  let lines = 0;
  child.stdout?.on("data", (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  return () => lines;
}
