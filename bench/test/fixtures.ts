// Results as a run would record them, for the report and target tests.
import { checkTargets } from "../targets.ts";
import type { BenchResults, Figures, PhaseResult, SideResult } from "../types.ts";

export function figures(
  perSecond: number,
  p50Ms: number,
  p99Ms: number,
  serverCpuUs: number,
): Figures {
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

export function side(id: string, values: Figures, overrides: Partial<SideResult> = {}): SideResult {
  return { id, title: id, server: id, unit: "request", ...values, ...overrides };
}

export function phase(
  id: string,
  sides: SideResult[],
  overrides: Partial<PhaseResult> = {},
): PhaseResult {
  return {
    id,
    title: id,
    connections: 10,
    reference: sides[0]!.id,
    sides,
    stealPercent: 0.5,
    otherCpuPercent: 3,
    ...overrides,
  };
}

/** A run that meets every target of #18. */
export function passingPhases(): PhaseResult[] {
  return [
    phase("session", [
      side("bare", figures(20_000, 0.4, 1.6, 50)),
      side("bare-logged", figures(14_000, 0.6, 2, 70)),
      side("bff", figures(13_000, 0.7, 2.2, 75)),
      side("bff-quiet", figures(16_000, 0.6, 2, 60)),
      side("express-session", figures(2_000, 4, 9, 600), { title: "express-session peer" }),
      side("express-openid-connect", figures(1_000, 8, 15, 1100), { title: "eoidc peer" }),
    ]),
    phase("me", [
      side("bare-proxy", figures(3_000, 3.2, 8, 300)),
      side("bff", figures(2_500, 3.8, 9, 380)),
      side("graph-direct", figures(8_000, 1, 4, 150), { server: "emulator" }),
    ]),
    phase(
      "me-serial",
      [
        side("bare-proxy", figures(2_000, 0.45, 1, 400)),
        side("bff", figures(1_500, 0.62, 1.2, 500)),
        side("graph-direct", figures(4_000, 0.19, 0.7, 200), { server: "emulator" }),
      ],
      { connections: 1 },
    ),
    phase("sign-in", [
      side("bare", figures(20_000, 0.4, 1.6, 50)),
      side("bff", figures(200, 45, 110, 1400), { unit: "sign-in" }),
    ]),
  ];
}

type Measured = Omit<BenchResults, "targets">;

export function results(overrides: Partial<Measured> = {}): BenchResults {
  const measured: Measured = {
    version: 3,
    machine: {
      cores: 2,
      cpu: "Test CPU",
      memoryGiB: 8,
      node: "v20.20.0",
      platform: "linux-x64",
      date: "2026-11-25T08:00:00.000Z",
      commit: "abc1234",
      stealPercent: 1.25,
      otherCpuPercent: 12,
      pinning:
        "servers pinned to CPU 1; the load generator, the emulator and the orchestrator to CPU 0",
    },
    settings: { seconds: 5, warmupSeconds: 1, slices: 5, connections: 10, users: 20 },
    phases: passingPhases(),
    skipped: [],
    overhead: { method: "subtracted", serialMs: 0.43, underLoadMs: 2.8 },
    cookies: {
      cookies: [
        { name: "bff-session", pairBytes: 400, setCookieBytes: 480 },
        { name: "bff-token-0", pairBytes: 3812, setCookieBytes: 3890 },
      ],
      headerBytes: 4214,
    },
    spa: null,
    memory: {
      readyRssBytes: 60 * 2 ** 20,
      firstPassRssBytes: 100 * 2 ** 20,
      secondPassRssBytes: 104 * 2 ** 20,
      peakRssBytes: 120 * 2 ** 20,
      repeated: [],
    },
    quietLog: { setting: "LOG_LEVEL=warn", lines: 0, requests: 80_000 },
    notes: [],
    ...overrides,
  };
  return { ...measured, targets: checkTargets(measured) };
}
