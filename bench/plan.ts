// The load phases, in order. Each phase measures its sides side by side (bench/load-spec.ts)
// at one connection count; its ratios divide by its reference side.
import { csrfHeader, paths } from "@entra-bff/contract";
import { cookieHeader, type StoredCookie } from "./cookies.ts";
import {
  createdEtagPlaceholder,
  createdIdPlaceholder,
  type GroupFigures,
  type HttpLoad,
  type HttpRequest,
  type LoadSpec,
} from "./load-spec.ts";
import { peerPaths } from "./peers/routes.ts";
import type { Overhead, PhaseResult, SideResult } from "./types.ts";

export const apiHeaders: Record<string, string> = { [csrfHeader.name]: csrfHeader.value };

/** The Tasks API's collection, directly and as the BFF's declared API `tasks`. */
export const tasksPath = "/tasks";
export const bffTasksPath = `${paths.apiPrefix}/tasks${tasksPath}`;
/** The body of each task the create phase makes (and the tasks each user starts with). */
export const newTaskBody = JSON.stringify({ title: "bench task" });
/** Tasks each user holds while the list phase runs. */
export const seededTasks = 5;

export interface PlanInput {
  connections: number;
  upns: string[];
  bare: { origin: string };
  bareLogged: { origin: string };
  /** The BFF as shipped. */
  bff: {
    origin: string;
    /** Signed-in sessions with a valid access token. */
    sessions: StoredCookie[][];
    /** Signed-in sessions whose access token needs renewal. */
    expiredSessions: StoredCookie[][];
  };
  /** The BFF with request logging off; it accepts the shipped BFF's sessions. */
  quietBff: { origin: string };
  openidConnect: { origin: string; sessions: StoredCookie[][] };
  msalSession: { origin: string; sessions: StoredCookie[][] };
  /** The emulator's Graph: by address, e.g. https://127.0.0.1:1234, and its path, /v1.0. */
  graph: { origin: string; basePath: string; token: string };
  bareProxy: { origin: string };
  /** Present when the BFF proxies /api/graph/users/{id} (else the phases are skipped). */
  graphProxy?: { userId: string };
  /** Present when the Tasks API runs behind the BFF (else the phases are skipped). */
  tasks?: { origin: string; token: string };
}

export interface PhaseSpec {
  id: string;
  title: string;
  connections: number;
  /** The side every ratio of the phase divides by. */
  reference: string;
  sides: LoadSpec[];
  /**
   * False when running it again would not be the same load: listing tasks after the create
   * phase filled the database.
   */
  repeatable?: boolean;
  /**
   * While the phase runs (and its second pass), the emulator issues access tokens this
   * short-lived: inside the BFF's renewal margin already, so every renewal needs another,
   * whether the BFF keeps access tokens in cookies or caches them server-side.
   */
  accessTokenLifetimeSeconds?: number;
}

/** Phase ids, for the targets and the skipped list. */
export const phaseIds = {
  session: "session",
  me: "me",
  meSerial: "me-serial",
  graphProxy: "graph-proxy",
  graphProxySerial: "graph-proxy-serial",
  tasksList: "tasks-list",
  tasksCreate: "tasks-create",
  renewal: "renewal",
  signIn: "sign-in",
} as const;

/** Side ids (each also the name of the process that answers it, but for Graph's). */
export const sideIds = {
  bare: "bare",
  bareLogged: "bare-logged",
  bff: "bff",
  quietBff: "bff-quiet",
  msalSession: "express-session",
  openidConnect: "express-openid-connect",
  graphDirect: "graph-direct",
  bareProxy: "bare-proxy",
  tasksDirect: "tasks-direct",
} as const;

/** The peers of GET /auth/session, which the BFF must be five times as fast as. */
export const peerSides = [sideIds.msalSession, sideIds.openidConnect];

export function loadPlan(input: PlanInput): PhaseSpec[] {
  const loaded = input.connections;
  const bare: LoadSpec = {
    ...fixedLoad(input.bare.origin, "/"),
    id: sideIds.bare,
    title: "bare Fastify 5, no logger",
    server: "bare",
  };
  const withSessions = (
    origin: string,
    path: string,
    sessions: StoredCookie[][],
    headers: Record<string, string> = {},
  ): Omit<HttpLoad, "id" | "title" | "server"> => ({
    kind: "http",
    url: origin,
    // A browser sends every cookie of the origin with each request, token cookies included.
    requests: sessions.map((cookies) => ({
      method: "GET",
      path,
      headers: { ...headers, cookie: cookieHeader(cookies) },
    })),
  });
  const graphDirect = (path: string, title: string): LoadSpec => ({
    ...fixedLoad(input.graph.origin, `${input.graph.basePath}${path}`, {
      authorization: `Bearer ${input.graph.token}`,
      accept: "application/json",
    }),
    id: sideIds.graphDirect,
    title,
    server: "emulator",
  });
  const throughBareProxy = (path: string, title: string): LoadSpec => ({
    ...fixedLoad(input.bareProxy.origin, `${peerPaths.bareProxyGraph}${path}`, {
      accept: "application/json",
    }),
    id: sideIds.bareProxy,
    title,
    server: "bare-proxy",
  });
  const bffGet = (path: string, title: string, sessions = input.bff.sessions): LoadSpec => ({
    ...withSessions(input.bff.origin, path, sessions, apiHeaders),
    id: sideIds.bff,
    title,
    server: "bff",
  });

  // The bare proxy is the floor of any proxied call, so the reference of each.
  const meSides = [
    throughBareProxy("/me", "Graph /v1.0/me through a bare reply-from proxy (fixed token)"),
    bffGet(paths.me, "GET /api/me through the BFF"),
    graphDirect("/me", "Graph /v1.0/me directly at the emulator"),
  ];
  const phases: PhaseSpec[] = [
    {
      id: phaseIds.session,
      title: "GET /auth/session beside the peers",
      connections: loaded,
      reference: sideIds.bare,
      sides: [
        bare,
        {
          ...fixedLoad(input.bareLogged.origin, "/"),
          id: sideIds.bareLogged,
          title: "bare Fastify 5 with the BFF's logger (info)",
          server: "bare-logged",
        },
        {
          ...withSessions(input.bff.origin, paths.session, input.bff.sessions),
          id: sideIds.bff,
          title: "this BFF as shipped (LOG_LEVEL=info)",
          server: "bff",
        },
        {
          ...withSessions(input.quietBff.origin, paths.session, input.bff.sessions),
          id: sideIds.quietBff,
          title: "this BFF, request logging off (LOG_LEVEL=warn)",
          server: "bff-quiet",
        },
        {
          ...withSessions(input.msalSession.origin, peerPaths.session, input.msalSession.sessions),
          id: sideIds.msalSession,
          title: "express-session + MemoryStore, msal-node cache (the msal-node samples)",
          server: "express-session",
        },
        {
          ...withSessions(
            input.openidConnect.origin,
            peerPaths.session,
            input.openidConnect.sessions,
          ),
          id: sideIds.openidConnect,
          title: "express-openid-connect 3.4, rolling session",
          server: "express-openid-connect",
        },
      ],
    },
    {
      id: phaseIds.me,
      title: "GET /api/me (Graph answered by the emulator)",
      connections: loaded,
      reference: sideIds.bareProxy,
      sides: meSides,
    },
    {
      id: phaseIds.meSerial,
      title: "GET /api/me, 1 connection",
      connections: 1,
      reference: sideIds.bareProxy,
      sides: meSides,
    },
  ];

  if (input.graphProxy) {
    // A colleague's card: the titles name the route, the requests the user.
    const path = `/users/${encodeURIComponent(input.graphProxy.userId)}`;
    const route = "/users/{id}";
    const sides = [
      throughBareProxy(path, `Graph ${route} through a bare reply-from proxy (fixed token)`),
      bffGet(`${paths.apiPrefix}/graph${path}`, `GET /api/graph${route} through the BFF`),
      graphDirect(path, `Graph /v1.0${route} directly at the emulator`),
    ];
    phases.push(
      {
        id: phaseIds.graphProxy,
        title: "a proxied Graph call with a cached token",
        connections: loaded,
        reference: sideIds.bareProxy,
        sides,
      },
      {
        id: phaseIds.graphProxySerial,
        title: "a proxied Graph call with a cached token, 1 connection",
        connections: 1,
        reference: sideIds.bareProxy,
        sides,
      },
    );
  }

  if (input.tasks) {
    const tasks = input.tasks;
    const bearer = { authorization: `Bearer ${tasks.token}` };
    // Create, then delete what was created: the store stays as it was (the Tasks API keeps
    // at most 1,000 tasks per user), whatever the duration.
    const createThenDelete = (prefix: string, headers: Record<string, string>): HttpRequest[] => [
      {
        method: "POST",
        path: `${prefix}${tasksPath}`,
        headers: { ...headers, "content-type": "application/json" },
        body: newTaskBody,
        captureId: true,
      },
      {
        method: "DELETE",
        path: `${prefix}${tasksPath}/${createdIdPlaceholder}`,
        // The Tasks API refuses a blind delete (428): it must name the version it deletes.
        headers: { ...headers, "if-match": createdEtagPlaceholder },
      },
    ];
    const bffApi = `${paths.apiPrefix}/tasks`;
    const sessionHeaders = (cookies: StoredCookie[]) => ({
      ...apiHeaders,
      cookie: cookieHeader(cookies),
    });
    phases.push(
      {
        id: phaseIds.tasksList,
        title: "Tasks: list",
        connections: loaded,
        reference: sideIds.tasksDirect,
        repeatable: false,
        sides: [
          {
            ...fixedLoad(tasks.origin, tasksPath, bearer),
            id: sideIds.tasksDirect,
            title: `GET ${tasksPath} directly at the Tasks API`,
            server: "tasks-api",
          },
          bffGet(bffTasksPath, `GET ${bffTasksPath} through the BFF`),
        ],
      },
      {
        id: phaseIds.tasksCreate,
        title: "Tasks: create, then delete",
        connections: loaded,
        reference: sideIds.tasksDirect,
        sides: [
          {
            kind: "http",
            url: tasks.origin,
            requests: createThenDelete("", bearer),
            stride: 2,
            id: sideIds.tasksDirect,
            title: `POST ${tasksPath}, DELETE ${tasksPath}/{id} directly at the Tasks API`,
            server: "tasks-api",
          },
          {
            kind: "http",
            url: input.bff.origin,
            requests: input.bff.sessions.flatMap((cookies) =>
              createThenDelete(bffApi, sessionHeaders(cookies)),
            ),
            stride: 2,
            id: sideIds.bff,
            title: `POST ${bffTasksPath}, DELETE ${bffTasksPath}/{id} through the BFF`,
            server: "bff",
          },
        ],
      },
    );
  }

  phases.push(
    {
      id: phaseIds.renewal,
      title: "GET /api/me, access token expired (renewal)",
      connections: loaded,
      reference: sideIds.bare,
      accessTokenLifetimeSeconds: 1,
      sides: [
        bare,
        bffGet(paths.me, "GET /api/me through the BFF, renewing", input.bff.expiredSessions),
      ],
    },
    {
      id: phaseIds.signIn,
      title: "full sign-in (login → emulator → callback)",
      connections: loaded,
      reference: sideIds.bare,
      sides: [
        bare,
        {
          kind: "sign-in",
          id: sideIds.bff,
          title: "a full sign-in at the BFF",
          server: "bff",
          bffOrigin: input.bff.origin,
          upns: input.upns,
        },
      ],
    },
  );
  return phases;
}

function fixedLoad(
  origin: string,
  path: string,
  headers: Record<string, string> = {},
): Pick<HttpLoad, "kind" | "url" | "requests"> {
  return { kind: "http", url: origin, requests: [{ method: "GET", path, headers }] };
}

/**
 * The second pass of the memory check: each loaded (not single-connection) side the shipped
 * BFF answers, once more, in the order of the first pass (but for phases that would not be
 * the same load again).
 */
export function secondPass(phases: PhaseSpec[]): { phase: PhaseSpec; side: LoadSpec }[] {
  return phases
    .filter((phase) => phase.connections > 1 && phase.repeatable !== false)
    .flatMap((phase) =>
      phase.sides.filter((side) => side.server === "bff").map((side) => ({ phase, side })),
    );
}

export function phaseResult(
  spec: PhaseSpec,
  figures: GroupFigures,
  load: { stealPercent: number; otherCpuPercent: number },
): PhaseResult {
  return {
    id: spec.id,
    title: spec.title,
    connections: spec.connections,
    reference: spec.reference,
    ...load,
    sides: spec.sides.map(
      (side, i): SideResult => ({
        id: side.id,
        title: side.title,
        server: side.server,
        unit: side.kind === "sign-in" ? "sign-in" : "request",
        ...figures.sides[i]!,
      }),
    ),
  };
}

export function sideOf(
  phases: PhaseResult[],
  phaseId: string,
  sideId: string,
): SideResult | undefined {
  return phases.find((phase) => phase.id === phaseId)?.sides.find((side) => side.id === sideId);
}

/** The BFF's own time on /api/me: its p50 minus Graph's, measured side by side. */
export function overheadOf(phases: PhaseResult[]): Overhead {
  const gap = (phase: string) =>
    (sideOf(phases, phase, sideIds.bff)?.p50Ms ?? Number.NaN) -
    (sideOf(phases, phase, sideIds.graphDirect)?.p50Ms ?? Number.NaN);
  return {
    method:
      "p50 of GET /api/me minus p50 of the emulator's Graph /v1.0/me called directly " +
      "(https, keep-alive, a token of the same kind), measured side by side with the same " +
      "connection count. The BFF has no option to cache Graph's answer, so Graph's time is " +
      "subtracted rather than removed.",
    serialMs: gap(phaseIds.meSerial),
    underLoadMs: gap(phaseIds.me),
  };
}
