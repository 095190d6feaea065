import { describe, expect, it } from "vitest";
import type { HttpLoad, LoadSpec } from "../load-spec.ts";
import { loadPlan, overheadOf, type PlanInput, secondPass } from "../plan.ts";
import { figures, phase, side } from "./fixtures.ts";

const session = (id: string) => [{ name: "bff-session", value: id, line: `bff-session=${id}` }];

const input: PlanInput = {
  connections: 10,
  upns: ["a@contoso.example"],
  bare: { origin: "http://127.0.0.1:1" },
  bareLogged: { origin: "http://127.0.0.1:2" },
  bff: {
    origin: "http://127.0.0.1:3",
    sessions: [session("a"), session("b")],
    expiredSessions: [session("x")],
  },
  quietBff: { origin: "http://127.0.0.1:4" },
  openidConnect: { origin: "http://127.0.0.1:5", sessions: [session("o")] },
  msalSession: { origin: "http://127.0.0.1:6", sessions: [session("m")] },
  graph: { origin: "https://127.0.0.1:7", basePath: "/v1.0", token: "token" },
  bareProxy: { origin: "http://127.0.0.1:8" },
};

const http = (spec: LoadSpec | undefined) => spec as HttpLoad;

describe("loadPlan", () => {
  const plan = loadPlan(input);
  const phaseOf = (id: string) => plan.find((p) => p.id === id)!;

  it("has the phases whose targets exist, the later ones only when given theirs", () => {
    expect(plan.map((p) => p.id)).toEqual(["session", "me", "me-serial", "renewal", "sign-in"]);
    const later = loadPlan({
      ...input,
      graphProxy: { userId: "0000-1" },
      tasks: { origin: "http://127.0.0.1:9", token: "tasks-token" },
    });
    expect(later.map((p) => p.id)).toEqual([
      "session",
      "me",
      "me-serial",
      "graph-proxy",
      "graph-proxy-serial",
      "tasks-list",
      "tasks-create",
      "renewal",
      "sign-in",
    ]);
  });

  it("puts the BFF, its quiet twin and both peers beside bare Fastify on /auth/session", () => {
    const sessionPhase = phaseOf("session");
    expect(sessionPhase.reference).toBe("bare");
    expect(sessionPhase.sides.map((s) => [s.id, s.server, http(s).url])).toEqual([
      ["bare", "bare", "http://127.0.0.1:1"],
      ["bare-logged", "bare-logged", "http://127.0.0.1:2"],
      ["bff", "bff", "http://127.0.0.1:3"],
      ["bff-quiet", "bff-quiet", "http://127.0.0.1:4"],
      ["express-session", "express-session", "http://127.0.0.1:6"],
      ["express-openid-connect", "express-openid-connect", "http://127.0.0.1:5"],
    ]);
    // The quiet BFF replays the shipped BFF's sessions; each peer its own.
    const cookies = (id: string) =>
      http(sessionPhase.sides.find((s) => s.id === id)).requests.map((r) => r.headers.cookie);
    expect(cookies("bff-quiet")).toEqual(["bff-session=a", "bff-session=b"]);
    expect(cookies("express-openid-connect")).toEqual(["bff-session=o"]);
    expect(http(sessionPhase.sides[0]).requests).toEqual([
      { method: "GET", path: "/", headers: {} },
    ]);
  });

  it("replays each session's cookies, with the anti-forgery header on /api/*", () => {
    const me = http(phaseOf("me").sides.find((s) => s.id === "bff"));
    expect(me.requests).toEqual([
      { method: "GET", path: "/api/me", headers: { "x-csrf": "1", cookie: "bff-session=a" } },
      { method: "GET", path: "/api/me", headers: { "x-csrf": "1", cookie: "bff-session=b" } },
    ]);
    const renewal = http(phaseOf("renewal").sides.find((s) => s.id === "bff"));
    expect(renewal.requests.map((r) => r.headers.cookie)).toEqual(["bff-session=x"]);
    // Renewed tokens are short-lived too, so that a server-side token cache renews again.
    expect(phaseOf("renewal").accessTokenLifetimeSeconds).toBe(1);
    expect(phaseOf("me").accessTokenLifetimeSeconds).toBeUndefined();
  });

  it("calls Graph directly by address and through the bare proxy, with one connection too", () => {
    const serial = phaseOf("me-serial");
    expect(serial.connections).toBe(1);
    const direct = http(serial.sides.find((s) => s.id === "graph-direct"));
    expect(direct).toMatchObject({ server: "emulator", url: "https://127.0.0.1:7" });
    expect(direct.requests[0]).toEqual({
      method: "GET",
      path: "/v1.0/me",
      headers: { authorization: "Bearer token", accept: "application/json" },
    });
    const proxied = http(serial.sides.find((s) => s.id === "bare-proxy"));
    expect(proxied.requests[0]!.path).toBe("/api/graph/me");
    expect(proxied.requests[0]!.headers).not.toHaveProperty("authorization");
  });

  it("compares the proxied Graph call with the bare proxy and Graph itself", () => {
    const proxy = loadPlan({ ...input, graphProxy: { userId: "0000-1" } }).find(
      (p) => p.id === "graph-proxy",
    )!;
    expect(proxy.reference).toBe("bare-proxy");
    expect(proxy.sides.map((s) => [s.id, http(s).requests[0]!.path])).toEqual([
      ["bare-proxy", "/api/graph/users/0000-1"],
      ["bff", "/api/graph/users/0000-1"],
      ["graph-direct", "/v1.0/users/0000-1"],
    ]);
  });

  it("creates a task, then deletes it, directly and through the BFF with the anti-forgery header", () => {
    const create = loadPlan({
      ...input,
      tasks: { origin: "http://127.0.0.1:9", token: "tasks-token" },
    }).find((p) => p.id === "tasks-create")!;
    const [direct, bff] = create.sides.map(http);
    expect(direct!.stride).toBe(2);
    expect(direct!.requests).toEqual([
      {
        method: "POST",
        path: "/tasks",
        body: '{"title":"bench task"}',
        captureId: true,
        headers: { "content-type": "application/json", authorization: "Bearer tasks-token" },
      },
      {
        method: "DELETE",
        path: "/tasks/{created-id}",
        headers: { authorization: "Bearer tasks-token", "if-match": "{created-etag}" },
      },
    ]);
    // Each session's pair in turn: create, then delete what that session created.
    expect(bff!.stride).toBe(2);
    expect(bff!.requests.map((r) => `${r.method} ${r.path} ${r.headers.cookie}`)).toEqual([
      "POST /api/tasks/tasks bff-session=a",
      "DELETE /api/tasks/tasks/{created-id} bff-session=a",
      "POST /api/tasks/tasks bff-session=b",
      "DELETE /api/tasks/tasks/{created-id} bff-session=b",
    ]);
    expect(bff!.requests.every((r) => r.headers["x-csrf"] === "1")).toBe(true);
  });

  it("measures /api/me against the bare proxy, the floor of any proxied call", () => {
    expect(phaseOf("me").reference).toBe("bare-proxy");
    expect(phaseOf("me").sides.map((s) => s.id)).toEqual(["bare-proxy", "bff", "graph-direct"]);
  });

  it("repeats the shipped BFF's loaded sides in the second pass, not the 1-connection ones", () => {
    expect(secondPass(plan).map(({ phase, side }) => `${phase.id}/${side.id}`)).toEqual([
      "session/bff",
      "me/bff",
      "renewal/bff",
      "sign-in/bff",
    ]);
    const later = loadPlan({
      ...input,
      graphProxy: { userId: "0000-1" },
      tasks: { origin: "http://127.0.0.1:9", token: "tasks-token" },
    });
    // Listing again after the creates is not the same load: only the creates repeat.
    expect(secondPass(later).map(({ phase }) => phase.id)).toEqual([
      "session",
      "me",
      "graph-proxy",
      "tasks-create",
      "renewal",
      "sign-in",
    ]);
  });
});

describe("overheadOf", () => {
  it("subtracts Graph's p50 from /api/me's at equal connection counts", () => {
    const me = (id: string, bffP50: number, graphP50: number) =>
      phase(id, [
        side("bare", figures(1, 0.1, 1, 1)),
        side("bff", figures(1, bffP50, 1, 1)),
        side("graph-direct", figures(1, graphP50, 1, 1)),
      ]);
    const overhead = overheadOf([me("me", 9, 1.5), me("me-serial", 1.4, 0.3)]);
    expect(overhead.serialMs).toBeCloseTo(1.1);
    expect(overhead.underLoadMs).toBeCloseTo(7.5);
    expect(overheadOf([]).serialMs).toBeNaN();
  });
});
