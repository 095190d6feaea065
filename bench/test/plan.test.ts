import { describe, expect, it } from "vitest";
import { baselineLoad, loadPlan, overheadOf, phaseCount } from "../plan.ts";
import type { PhaseResult } from "../types.ts";

const session = (id: string) => [{ name: "bff-session", value: id, line: `bff-session=${id}` }];

describe("loadPlan", () => {
  const plan = loadPlan({
    bffOrigin: "http://127.0.0.1:2",
    graphBaseUrl: "https://localhost:3/v1.0",
    graphToken: "token",
    sessions: [session("a"), session("b")],
    expiredSessions: [session("x")],
    upns: ["a@contoso.example"],
    connections: 10,
  });

  it("has phaseCount phases, the baseline not among them", () => {
    expect(plan).toHaveLength(phaseCount);
    expect(plan.map((spec) => spec.server)).not.toContain("baseline");
  });

  it("replays each session's cookies, with the anti-forgery header on /api/*", () => {
    const me = plan.find((spec) => spec.id === "me")!;
    expect(me.kind === "http" && me.requests).toEqual([
      { method: "GET", path: "/api/me", headers: { "x-csrf": "1", cookie: "bff-session=a" } },
      { method: "GET", path: "/api/me", headers: { "x-csrf": "1", cookie: "bff-session=b" } },
    ]);
    const renewal = plan.find((spec) => spec.id === "renewal")!;
    expect(renewal.kind === "http" && renewal.requests.map((r) => r.headers.cookie)).toEqual([
      "bff-session=x",
    ]);
  });

  it("calls Graph directly by address, with one connection for the overhead phases", () => {
    const graph = plan.find((spec) => spec.id === "graph-serial")!;
    expect(graph).toMatchObject({ server: "emulator", connections: 1, url: "https://127.0.0.1:3" });
    expect(graph.kind === "http" && graph.requests[0]!.path).toBe("/v1.0/me");
  });
});

describe("baselineLoad", () => {
  it("is the bare route at the paired phase's connection count", () => {
    expect(baselineLoad("http://127.0.0.1:1", 1)).toMatchObject({
      server: "baseline",
      connections: 1,
      url: "http://127.0.0.1:1",
      requests: [{ method: "GET", path: "/", headers: {} }],
    });
  });
});

describe("overheadOf", () => {
  it("subtracts Graph's p50 from /api/me's at equal connection counts", () => {
    const p50 = (id: string, p50Ms: number) => ({ id, p50Ms }) as PhaseResult;
    const overhead = overheadOf([
      p50("me", 9),
      p50("graph", 1.5),
      p50("me-serial", 1.4),
      p50("graph-serial", 0.3),
    ]);
    expect(overhead.serialMs).toBeCloseTo(1.1);
    expect(overhead.underLoadMs).toBeCloseTo(7.5);
  });
});
