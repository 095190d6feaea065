import { describe, expect, it } from "vitest";
import { checkTargets } from "../targets.ts";
import type { PhaseResult } from "../types.ts";
import { figures, passingPhases, phase, results, side } from "./fixtures.ts";

const byName = (checks: ReturnType<typeof checkTargets>, start: string) =>
  checks.filter((check) => check.name.startsWith(start));

function withSide(phases: PhaseResult[], phaseId: string, sideId: string, values: object) {
  return phases.map((p) =>
    p.id === phaseId
      ? { ...p, sides: p.sides.map((s) => (s.id === sideId ? { ...s, ...values } : s)) }
      : p,
  );
}

describe("checkTargets", () => {
  it("meets every target of a run within every budget; the unwired proxy is not measured", () => {
    const checks = results().targets;
    expect(checks.map((check) => [check.name, check.status])).toEqual([
      ["GET /auth/session as shipped, × bare Fastify (no logger), req/s", "met"],
      ["GET /auth/session, × express-session peer, req/s", "met"],
      ["GET /auth/session, × eoidc peer, req/s", "met"],
      ["GET /auth/session, request logging off, × bare Fastify (no logger), req/s", "met"],
      ["GET /api/me: BFF CPU per request − the bare reply-from proxy's", "met"],
      ["GET /api/me: BFF p50 − the bare reply-from proxy's, 1 connection", "met"],
      [
        "a proxied Graph call (/api/graph/users/{id}): BFF CPU per request − the bare reply-from proxy's",
        "not measured",
      ],
      [
        "a proxied Graph call (/api/graph/users/{id}): BFF p50 − the bare reply-from proxy's, 1 connection",
        "not measured",
      ],
      ["A full sign-in: BFF CPU", "met"],
      ["BFF RSS over a second identical load pass", "met"],
      ["BFF's own overhead on GET /api/me (Graph's time excluded), 1 connection", "met"],
      ["Largest session cookie (name=value)", "met"],
      ["Cookie header of a session", "met"],
    ]);
    expect(checks[0]!.actual).toBe("0.65 × (13,000 vs 20,000/s; by CPU per request 0.67 ×)");
    expect(checks[4]!.actual).toBe("+80 µs (380 vs 300)");
    expect(checks[5]!.actual).toBe("+0.17 ms (0.62 vs 0.45)");
    expect(checks[9]!.actual).toBe("+4.0 % (100.0 MiB → 104.0 MiB)");
  });

  it("divides by bare Fastify without a logger, not by the logged one", () => {
    // 11,000 is 0.79 of the logged baseline (14,000) but 0.55 of the bare one.
    const phases = withSide(passingPhases(), "session", "bff", figures(11_000, 0.8, 2.4, 90));
    expect(checkTargets(results({ phases })).at(0)).toMatchObject({
      status: "missed",
      actual: "0.55 × (11,000 vs 20,000/s; by CPU per request 0.56 ×)",
    });
  });

  it("misses the peer target for each peer the BFF is not five times as fast as", () => {
    const phases = withSide(
      passingPhases(),
      "session",
      "express-session",
      figures(3_000, 3, 8, 500),
    );
    const peers = byName(checkTargets(results({ phases })), "GET /auth/session, × ");
    expect(peers.map((check) => [check.status, check.actual])).toEqual([
      ["missed", "4.33 × (13,000 vs 3,000/s; by CPU per request 6.67 ×)"],
      ["met", "13.00 × (13,000 vs 1,000/s; by CPU per request 14.67 ×)"],
    ]);
  });

  it("does not count 'request logging off' when the quiet BFF still wrote log lines", () => {
    const checks = results({
      quietLog: { setting: "LOG_LEVEL=warn", lines: 160_000, requests: 80_000 },
    }).targets;
    const quiet = byName(checks, "GET /auth/session, request logging off")[0]!;
    expect(quiet.status).toBe("not measured");
    expect(quiet.actual).toContain("LOG_LEVEL=warn wrote 160000 log lines over 80000 requests");
  });

  it("misses the proxy targets by CPU and by p50 above the bare proxy", () => {
    let phases = withSide(passingPhases(), "me", "bff", { serverCpuUs: 420 });
    phases = withSide(phases, "me-serial", "bff", { p50Ms: 0.8 });
    const me = byName(checkTargets(results({ phases })), "GET /api/me:");
    expect(me.map((check) => [check.status, check.actual])).toEqual([
      ["missed", "+120 µs (420 vs 300)"],
      ["missed", "+0.35 ms (0.80 vs 0.45)"],
    ]);
  });

  it("names why the proxied Graph call was not measured", () => {
    const checks = results({
      skipped: [
        { id: "graph-proxy", title: "proxy", reason: "the BFF answers 404" },
        { id: "graph-proxy-serial", title: "proxy", reason: "the BFF answers 404" },
      ],
    }).targets;
    const proxy = byName(checks, "a proxied Graph call");
    expect(proxy.map((check) => check.actual)).toEqual([
      "not measured: the BFF answers 404",
      "not measured: the BFF answers 404",
    ]);
  });

  it("checks the proxied Graph call when its phases ran", () => {
    const proxyPhase = (id: string, connections: number, bffCpu: number, bffP50: number) =>
      phase(
        id,
        [
          side("bare-proxy", figures(3_000, 0.5, 1, 300)),
          side("bff", figures(2_500, bffP50, 1.5, bffCpu)),
          side("graph-direct", figures(8_000, 0.2, 0.6, 150)),
        ],
        { connections },
      );
    const phases = [
      ...passingPhases(),
      proxyPhase("graph-proxy", 10, 390, 3),
      proxyPhase("graph-proxy-serial", 1, 500, 0.9),
    ];
    const proxy = byName(checkTargets(results({ phases })), "a proxied Graph call");
    expect(proxy.map((check) => [check.status, check.actual])).toEqual([
      ["met", "+90 µs (390 vs 300)"],
      ["missed", "+0.40 ms (0.90 vs 0.50)"],
    ]);
  });

  it("misses a target whose sides had failures, whatever the figures", () => {
    const phases = withSide(passingPhases(), "session", "bff", {
      failed: 3,
      statusCodes: { "200": 65_000, "401": 3 },
    });
    const first = checkTargets(results({ phases }))[0]!;
    expect(first.status).toBe("missed");
    expect(first.actual).toContain("⚠ failures");
  });

  it("misses sign-in CPU over 1.5 ms and RSS growth over 10 %", () => {
    const phases = withSide(passingPhases(), "sign-in", "bff", { serverCpuUs: 3_500 });
    const checks = checkTargets(
      results({
        phases,
        memory: {
          readyRssBytes: 121 * 2 ** 20,
          firstPassRssBytes: 200 * 2 ** 20,
          secondPassRssBytes: 238 * 2 ** 20,
          peakRssBytes: 238 * 2 ** 20,
          repeated: [],
        },
      }),
    );
    expect(byName(checks, "A full sign-in")[0]).toMatchObject({
      status: "missed",
      actual: "3,500 µs",
    });
    expect(byName(checks, "BFF RSS")[0]).toMatchObject({
      status: "missed",
      actual: "+19.0 % (200.0 MiB → 238.0 MiB)",
    });
  });

  it("misses the cookie budgets, naming the cookie over 4096 bytes", () => {
    const checks = checkTargets(
      results({
        cookies: {
          cookies: [{ name: "bff-token-0", pairBytes: 4097, setCookieBytes: 4200 }],
          headerBytes: 8192,
        },
      }),
    );
    expect(byName(checks, "Largest session cookie")[0]).toMatchObject({
      status: "missed",
      actual: "4097 bytes (over: bff-token-0)",
    });
    expect(byName(checks, "Cookie header")[0]!.status).toBe("missed");
  });
});
