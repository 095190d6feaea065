// The load phases, in order, each paired with the baseline at its connection count.
import { csrfHeader, paths } from "@entra-bff/contract";
import { cookieHeader, type StoredCookie } from "./cookies.ts";
import type { HttpLoad, LoadSpec, PairedFigures } from "./load-spec.ts";
import type { Overhead, PhaseResult } from "./types.ts";

export const apiHeaders: Record<string, string> = { [csrfHeader.name]: csrfHeader.value };

export interface PlanInput {
  bffOrigin: string;
  /** The emulator's Graph base, e.g. https://localhost:1234/v1.0. */
  graphBaseUrl: string;
  /** A Graph access token for the direct calls. */
  graphToken: string;
  /** Signed-in sessions with a valid access token. */
  sessions: StoredCookie[][];
  /** Signed-in sessions whose access token needs renewal. */
  expiredSessions: StoredCookie[][];
  upns: string[];
  connections: number;
}

type Target = Pick<HttpLoad, "kind" | "server" | "url" | "requests">;

/** How many phases loadPlan returns (the time budget is set before the plan exists). */
export const phaseCount = 7;

export function loadPlan(input: PlanInput): LoadSpec[] {
  const loaded = { connections: input.connections };
  const serial = { connections: 1 };
  const bff = (
    path: string,
    sessions: StoredCookie[][],
    headers: Record<string, string> = {},
  ): Target => ({
    kind: "http",
    server: "bff",
    url: input.bffOrigin,
    // A browser sends every cookie of the origin with each request, token cookies included.
    requests: sessions.map((cookies) => ({
      method: "GET",
      path,
      headers: { ...headers, cookie: cookieHeader(cookies) },
    })),
  });
  const graphUrl = new URL(input.graphBaseUrl);
  const graph: Target = {
    kind: "http",
    server: "emulator",
    // By address: the certificate names 127.0.0.1 too, and "localhost" may resolve to ::1.
    url: `https://127.0.0.1:${graphUrl.port}`,
    requests: [
      {
        method: "GET",
        path: `${graphUrl.pathname}/me`,
        headers: { authorization: `Bearer ${input.graphToken}`, accept: "application/json" },
      },
    ],
  };
  const me = bff(paths.me, input.sessions, apiHeaders);
  return [
    { id: "session", title: "GET /auth/session", ...loaded, ...bff(paths.session, input.sessions) },
    { id: "me", title: "GET /api/me (Graph answered by the emulator)", ...loaded, ...me },
    { id: "graph", title: "Graph /v1.0/me directly at the emulator", ...loaded, ...graph },
    { id: "me-serial", title: "GET /api/me, 1 connection", ...serial, ...me },
    { id: "graph-serial", title: "Graph /v1.0/me directly, 1 connection", ...serial, ...graph },
    {
      id: "renewal",
      title: "GET /api/me, access token expired (renewal)",
      ...loaded,
      ...bff(paths.me, input.expiredSessions, apiHeaders),
    },
    {
      id: "sign-in",
      title: "full sign-in (login → emulator → callback)",
      ...loaded,
      kind: "sign-in",
      server: "bff",
      bffOrigin: input.bffOrigin,
      upns: input.upns,
    },
  ];
}

/** The bare route, at the connection count of the phase it is paired with. */
export function baselineLoad(origin: string, connections: number): HttpLoad {
  return {
    id: "baseline",
    title: "baseline: bare Fastify JSON route",
    server: "baseline",
    connections,
    kind: "http",
    url: origin,
    requests: [{ method: "GET", path: "/", headers: {} }],
  };
}

export function phaseResult(spec: LoadSpec, figures: PairedFigures): PhaseResult {
  return {
    id: spec.id,
    title: spec.title,
    unit: spec.kind === "sign-in" ? "sign-in" : "request",
    connections: spec.connections,
    server: spec.server,
    ...figures.target,
    baseline: figures.baseline,
  };
}

/** The BFF's own time on /api/me: its p50 minus Graph's, at equal connection counts. */
export function overheadOf(phases: PhaseResult[]): Overhead {
  const p50 = (id: string) => phases.find((phase) => phase.id === id)?.p50Ms ?? Number.NaN;
  return {
    method:
      "p50 of GET /api/me minus p50 of the emulator's Graph /v1.0/me called directly " +
      "(https, keep-alive, a token of the same kind), measured one after the other with the " +
      "same connection count. The BFF has no option to cache Graph's answer, so Graph's time " +
      "is subtracted rather than removed.",
    serialMs: p50("me-serial") - p50("graph-serial"),
    underLoadMs: p50("me") - p50("graph"),
  };
}
