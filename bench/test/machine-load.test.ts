import { describe, expect, it } from "vitest";
import {
  machineLoadBetween,
  otherCpuPercent,
  parseProcStat,
  stealPercent,
} from "../machine-load.ts";

describe("the machine's load", () => {
  it("reads the aggregate cpu line of /proc/stat: busy, steal and the total", () => {
    const stat = "cpu  33490 291 7451 176161 2552 10 153 1062 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
    expect(parseProcStat(stat)).toEqual({
      total: 33490 + 291 + 7451 + 176161 + 2552 + 10 + 153 + 1062,
      busy: 33490 + 291 + 7451 + 10 + 153,
      steal: 1062,
    });
  });

  it("gives steal as the share of all CPU time that was stolen between two readings", () => {
    expect(
      stealPercent({ total: 1000, busy: 0, steal: 10 }, { total: 1400, busy: 0, steal: 30 }),
    ).toBe(5);
    expect(
      stealPercent({ total: 1000, busy: 0, steal: 10 }, { total: 1000, busy: 0, steal: 10 }),
    ).toBeNaN();
  });

  it("gives the CPU others used: the machine's busy time less the benchmark's own", () => {
    // 2 CPUs for 1 s = 200 ticks = 2000 ms of capacity; 150 ticks busy = 1500 ms, ours 1100.
    const before = { total: 0, busy: 0, steal: 0 };
    const after = { total: 200, busy: 150, steal: 0 };
    expect(otherCpuPercent(before, after, 1100)).toBeCloseTo(20);
    // Ours counted a little more than the machine's ticks: never negative.
    expect(otherCpuPercent(before, after, 1600)).toBe(0);
    expect(machineLoadBetween(undefined, after, 0)).toEqual({
      stealPercent: Number.NaN,
      otherCpuPercent: Number.NaN,
    });
  });

  it("refuses a /proc/stat without a readable cpu line", () => {
    expect(() => parseProcStat("intr 1 2 3\n")).toThrow(/no aggregate cpu line/);
    expect(() => parseProcStat("cpu  a b c d\n")).toThrow(/unreadable cpu line/);
  });
});
