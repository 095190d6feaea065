// What else the machine was doing while a phase ran, from /proc/stat: the steal time (the
// share of CPU time the hypervisor gave to other guests while this one wanted to run) and the
// CPU used by processes outside the benchmark (other people's builds and tests on a shared
// machine). Interleaving cancels a steady drift, not a busy neighbour: these say when a run
// is noisy.
import { readFile } from "node:fs/promises";

/** Linux's USER_HZ: /proc/stat counts in these ticks. */
const ticksPerSecond = 100;

/** The aggregate `cpu` line of /proc/stat, in ticks summed over every CPU. */
export interface CpuTicks {
  /** user + nice + system + idle + iowait + irq + softirq + steal (guest time is in user). */
  total: number;
  /** Running this guest's processes and interrupts: user + nice + system + irq + softirq. */
  busy: number;
  steal: number;
}

/** Parses /proc/stat's first line: `cpu  user nice system idle iowait irq softirq steal …`. */
export function parseProcStat(text: string): CpuTicks {
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (!line) throw new TypeError("/proc/stat has no aggregate cpu line");
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) {
    throw new TypeError(`/proc/stat: unreadable cpu line "${line}"`);
  }
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return {
    total: fields.reduce((sum, n) => sum + n, 0),
    busy: user + nice + system + irq + softirq,
    steal,
  };
}

/** Steal as a percentage of all CPU time between two readings; NaN when none passed. */
export function stealPercent(before: CpuTicks, after: CpuTicks): number {
  const total = after.total - before.total;
  return total > 0 ? ((after.steal - before.steal) / total) * 100 : Number.NaN;
}

/**
 * The CPU processes other than the benchmark's used between two readings, as a percentage of
 * the machine's whole capacity (all CPUs); `oursMs` is the CPU the benchmark's own processes
 * used meanwhile. Never below 0 (the two clocks tick apart by up to a tick per process).
 */
export function otherCpuPercent(before: CpuTicks, after: CpuTicks, oursMs: number): number {
  const total = after.total - before.total;
  if (!(total > 0)) return Number.NaN;
  const busyMs = ((after.busy - before.busy) * 1000) / ticksPerSecond;
  const totalMs = (total * 1000) / ticksPerSecond;
  return Math.max(0, ((busyMs - oursMs) / totalMs) * 100);
}

/** The current counters, or undefined where /proc/stat does not exist (not Linux). */
export async function readCpuTicks(): Promise<CpuTicks | undefined> {
  const text = await readFile("/proc/stat", "utf8").catch(() => undefined);
  return text === undefined ? undefined : parseProcStat(text);
}

/** Steal and other processes' CPU over an interval; NaN where a reading is missing. */
export function machineLoadBetween(
  before: CpuTicks | undefined,
  after: CpuTicks | undefined,
  oursMs: number,
): { stealPercent: number; otherCpuPercent: number } {
  return before && after
    ? {
        stealPercent: stealPercent(before, after),
        otherCpuPercent: otherCpuPercent(before, after, oursMs),
      }
    : { stealPercent: Number.NaN, otherCpuPercent: Number.NaN };
}
