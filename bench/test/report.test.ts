import { describe, expect, it } from "vitest";
import {
  baselineSpread,
  checkTargets,
  ratio,
  ratios,
  renderComparison,
  renderMarkdown,
} from "../report.ts";
import type { BenchResults, Figures, PhaseResult } from "../types.ts";

function figures(perSecond: number, p50Ms: number, p99Ms: number, serverCpuUs: number): Figures {
  return {
    seconds: 5,
    ok: perSecond * 5,
    failed: 0,
    errors: 0,
    statusCodes: { "200": perSecond * 5 },
    perSecond,
    p50Ms,
    p99Ms,
    serverCpuUs,
  };
}

const baseline = figures(20_000, 0.4, 1.6, 50);

function phase(
  id: string,
  perSecond: number,
  p50Ms: number,
  p99Ms: number,
  serverCpuUs = 50,
  paired: Figures = baseline,
): PhaseResult {
  return {
    id,
    title: id,
    unit: "request",
    connections: 10,
    server: "bff",
    ...figures(perSecond, p50Ms, p99Ms, serverCpuUs),
    baseline: paired,
  };
}

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  const partial = {
    version: 2 as const,
    machine: {
      cores: 2,
      cpu: "Test CPU",
      memoryGiB: 8,
      node: "v20.20.0",
      platform: "linux-x64",
      date: "2025-11-25T08:00:00.000Z",
      commit: "abc1234",
    },
    settings: { seconds: 5, warmupSeconds: 1, slices: 5, connections: 10, users: 20 },
    phases: [phase("session", 15_000, 0.6, 2, 60)],
    overhead: { method: "subtracted", serialMs: 1.2, underLoadMs: 3 },
    cookies: {
      cookies: [
        { name: "bff-session", pairBytes: 400, setCookieBytes: 480 },
        { name: "bff-token-0", pairBytes: 3812, setCookieBytes: 3890 },
      ],
      headerBytes: 4214,
    },
    spa: null,
    bff: { startRssBytes: 60 * 2 ** 20, rssBytes: 100 * 2 ** 20, peakRssBytes: 120 * 2 ** 20 },
    notes: [],
    ...overrides,
  };
  return { targets: checkTargets(partial), ...partial };
}

describe("ratios", () => {
  it("divides each figure by the baseline the phase was interleaved with", () => {
    const paired = figures(20_000, 0.5, 2, 50);
    expect(ratios(phase("x", 5_000, 2, 10, 150, paired))).toEqual({
      perSecond: 0.25,
      p50: 4,
      p99: 5,
      cpu: 3,
    });
  });

  it("prints small ratios with two significant digits rather than 0.00", () => {
    expect([ratio(0.0048), ratio(0.25), ratio(18.414)]).toEqual(["0.0048", "0.25", "18.41"]);
  });

  it("is NaN, not Infinity, against an empty baseline", () => {
    expect(ratios(phase("x", 5, 1, 1, 1, figures(0, 0, 0, 0))).perSecond).toBeNaN();
  });
});

describe("baselineSpread", () => {
  it("is the lowest and highest baseline throughput at the given connection count", () => {
    const phases = [
      phase("a", 1, 1, 1, 1, figures(18_000, 0.4, 1, 50)),
      phase("b", 1, 1, 1, 1, figures(21_000, 0.4, 1, 50)),
      { ...phase("c", 1, 1, 1, 1, figures(3_000, 0.3, 1, 50)), connections: 1 },
    ];
    expect(baselineSpread(phases, 10)).toEqual({ min: 18_000, max: 21_000 });
    expect(baselineSpread(phases, 5)).toBeUndefined();
  });
});

describe("checkTargets", () => {
  it("passes a run within every budget", () => {
    const checks = results().targets;
    expect(checks.map((check) => [check.name, check.actual, check.pass])).toEqual([
      ["GET /auth/session throughput", "75%", true],
      ["BFF's own overhead on GET /api/me (Graph's time excluded)", "1.20 ms", true],
      ["Largest session cookie (name=value)", "3812 bytes", true],
      ["Cookie header of a session", "4214 bytes", true],
    ]);
  });

  it("misses each target that is exceeded, naming the cookie", () => {
    const checks = results({
      phases: [phase("session", 13_000, 0.7, 2)],
      overhead: { method: "subtracted", serialMs: 2.5, underLoadMs: 6 },
      cookies: {
        cookies: [{ name: "bff-token-0", pairBytes: 4097, setCookieBytes: 4200 }],
        headerBytes: 8192,
      },
    }).targets;
    expect(checks.map((check) => check.pass)).toEqual([false, false, false, false]);
    expect(checks[2]!.actual).toBe("4097 bytes (over: bff-token-0)");
  });

  it("misses the throughput target when the session phase had failures", () => {
    const failing = { ...phase("session", 19_000, 0.5, 2), failed: 3, statusCodes: { "401": 3 } };
    expect(results({ phases: [failing] }).targets[0]!.pass).toBe(false);
  });
});

describe("renderMarkdown", () => {
  it("shows the interleaved baseline and the ratios, and flags failures loudly", () => {
    const failing = {
      ...phase("session", 10_000, 0.8, 4, 120),
      failed: 12,
      statusCodes: { "200": 50_000, "401": 12 },
    };
    const markdown = renderMarkdown(results({ phases: [failing] }));
    expect(markdown).toContain(
      "| session | 10 | 10,000 | 20,000 | 0.50 | 0.80 | 2.00 | 4.00 | 2.50 | 120 (bff) | 2.40 | **⚠ 12 failed (401×12)** |",
    );
    expect(markdown).toContain("> **⚠ FAILURES in session");
    expect(markdown).toContain(
      "| GET /auth/session throughput | ≥ 70% of the baseline | 50% | **MISS** |",
    );
  });
});

describe("renderComparison", () => {
  it("puts each phase's ratios side by side with the change", () => {
    const old = results();
    const current = results({
      phases: [phase("session", 27_000, 0.3, 1.2, 100, figures(30_000, 0.3, 1.2, 50))],
    });
    const text = renderComparison(old, current, { old: "a.json", new: "b.json" });
    expect(text).toContain(
      "| session | 0.75 → 0.90 (+20%) | 1.50 → 1.00 (−33%) | 1.25 → 1.00 (−20%) | 1.20 → 2.00 (+67%) |",
    );
    expect(text).toContain("| Cookie header | 4214 B | 4214 B |");
  });
});
