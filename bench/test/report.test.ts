import { describe, expect, it } from "vitest";
import { ratio } from "../format.ts";
import {
  baselineSpread,
  failureSummary,
  ratios,
  renderComparison,
  renderMarkdown,
} from "../report.ts";
import { figures, passingPhases, phase, results, side } from "./fixtures.ts";

describe("ratios", () => {
  it("divides each figure by the reference side measured beside it", () => {
    const reference = figures(20_000, 0.5, 2, 50);
    expect(ratios(figures(5_000, 2, 10, 150), reference)).toEqual({
      perSecond: 0.25,
      p50: 4,
      p99: 5,
      cpu: 3,
    });
  });

  it("is NaN, not Infinity, against an empty or missing reference", () => {
    expect(ratios(figures(5, 1, 1, 1), figures(0, 0, 0, 0)).perSecond).toBeNaN();
    expect(ratios(figures(5, 1, 1, 1), undefined).cpu).toBeNaN();
  });

  it("prints small ratios with two significant digits rather than 0.00", () => {
    expect([ratio(0.0048), ratio(0.25), ratio(18.414)]).toEqual(["0.0048", "0.25", "18.41"]);
  });
});

describe("baselineSpread", () => {
  it("is the range of bare Fastify's throughput over the phases at a connection count", () => {
    const phases = [
      phase("a", [side("bare", figures(18_000, 0.4, 1, 50))]),
      phase("b", [side("bare", figures(21_000, 0.4, 1, 50)), side("x", figures(1, 1, 1, 1))]),
      phase("c", [side("bare", figures(3_000, 0.3, 1, 50))], { connections: 1 }),
      phase("d", [side("bare-proxy", figures(1, 1, 1, 1))]),
    ];
    expect(baselineSpread(phases, 10)).toEqual({ min: 18_000, max: 21_000 });
    expect(baselineSpread(phases, 5)).toBeUndefined();
  });
});

describe("failureSummary", () => {
  it("names failed statuses, connection errors and an empty side", () => {
    expect(failureSummary(figures(10, 1, 1, 1))).toBe("0");
    expect(
      failureSummary({ ...figures(10, 1, 1, 1), failed: 2, errors: 1, statusCodes: { "401": 2 } }),
    ).toBe("**⚠ 2 failed (401×2), 1 connection errors**");
    expect(failureSummary(figures(0, 0, 0, 0))).toBe("**⚠ no successful response**");
  });
});

describe("renderMarkdown", () => {
  it("keeps the CPU model, the steal time and the other load, per run and per phase", () => {
    const markdown = renderMarkdown(results());
    expect(markdown).toContain("2 cores (Test CPU)");
    expect(markdown).toContain(
      "over the run, steal time 1.3 % of all CPU time and processes outside the benchmark 12 % of the machine's CPU",
    );
    expect(markdown).toContain("### session (10 connections; steal 0.5 %, other processes 3 %)");
  });

  it("shows each side × its phase's reference, the reference marked", () => {
    const markdown = renderMarkdown(results());
    expect(markdown).toContain(
      "| server | × bare | per second | p50 ms | p99 ms | server CPU µs each | × CPU | failures |",
    );
    expect(markdown).toContain(
      "| **bare** (reference) | 1.00 | 20,000 | 0.40 | 1.60 | 50 (bare) | 1.00 | 0 |",
    );
    expect(markdown).toContain("| bff | 0.65 | 13,000 | 0.70 | 2.20 | 75 (bff) | 1.50 | 0 |");
    expect(markdown).toContain(
      "| bff | 0.010 | 200 sign-ins | 45.0 | 110.0 | 1,400 (bff) | 28.00 | 0 |",
    );
  });

  it("flags failures loudly and lists the targets with their status", () => {
    const phases = passingPhases();
    phases[0]!.sides[2] = { ...phases[0]!.sides[2]!, failed: 12, statusCodes: { "401": 12 } };
    const markdown = renderMarkdown(results({ phases }));
    expect(markdown).toContain("> **⚠ FAILURES in session");
    expect(markdown).toContain("**⚠ 12 failed (401×12)**");
    expect(markdown).toMatch(
      /\| GET \/auth\/session as shipped, × bare Fastify \(no logger\), req\/s \| ≥ 0\.60 × \| .* ⚠ failures \| \*\*MISSED\*\* \|/,
    );
    expect(markdown).toContain("| A full sign-in: BFF CPU | ≤ 1,500 µs | 1,400 µs | met |");
  });

  it("names the phases that did not run, and why", () => {
    const markdown = renderMarkdown(
      results({
        skipped: [{ id: "tasks-list", title: "Tasks: list", reason: "not built" }],
      }),
    );
    expect(markdown).toContain("- **Tasks: list** (`tasks-list`): not built");
  });

  it("reports the quiet BFF's log lines and the memory of both passes", () => {
    const markdown = renderMarkdown(
      results({
        memory: {
          readyRssBytes: 60 * 2 ** 20,
          firstPassRssBytes: 100 * 2 ** 20,
          secondPassRssBytes: 104 * 2 ** 20,
          peakRssBytes: 120 * 2 ** 20,
          repeated: [
            {
              phase: "session",
              side: "bff",
              amount: 78_000,
              first: figures(13_000, 0.7, 2, 75),
              second: figures(12_500, 0.7, 2, 78),
            },
          ],
        },
      }),
    );
    expect(markdown).toContain("LOG_LEVEL=warn wrote 0 log lines for the 80000 requests");
    expect(markdown).toContain("**100.0 MiB** after the measured phases, **104.0 MiB** after");
    expect(markdown).toContain("| session / bff | 78000 → 62500 | 13,000 → 12,500 | 75 → 78 |");
  });
});

describe("renderComparison", () => {
  it("puts each side's ratios to its reference side by side with the change", () => {
    const old = results();
    const phases = passingPhases();
    phases[0]!.sides[2] = side("bff", figures(18_000, 0.5, 2, 60));
    const text = renderComparison(old, results({ phases }), { old: "a.json", new: "b.json" });
    expect(text).toContain(
      "| session / bff | 0.65 → 0.90 (+38%) | 1.75 → 1.25 (−29%) | 1.38 → 1.25 (−9%) | 1.50 → 1.20 (−20%) |",
    );
    expect(text).not.toContain("| session / bare |");
    expect(text).toContain("| Cookie header | 4214 B | 4214 B |");
  });
});
