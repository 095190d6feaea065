// `pnpm bench`: starts the emulator, the production BFF, its peers and bare Fastify, signs
// test users in to each, drives every path from a separate load process with the servers of
// a phase side by side, and records every figure as a ratio within its phase. See
// bench/README.md.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { paths } from "@entra-bff/contract";
import type { ClientRegistration, Emulator } from "@entra-bff/entra-emulator";
import { accessToken } from "./access-token.ts";
import { type BenchArgs, parseBenchArgs, usage } from "./args.ts";
import { graphProxyMissing, staleBuildNote, tasksMissing } from "./availability.ts";
import { measureCookies, type StoredCookie } from "./cookies.ts";
import { cpuTimeMs } from "./cpu.ts";
import { httpsRequest } from "./emulator-https.ts";
import { ms, perSecond, ratio, us } from "./format.ts";
import { keepSessionsFresh } from "./fresh-sessions.ts";
import { type LoadWorker, startLoadWorker } from "./load-client.ts";
import { describeMachine } from "./machine.ts";
import { machineLoadBetween, readCpuTicks } from "./machine-load.ts";
import { openidConnectIssuerBaseUrl } from "./peers/openid-connect-issuer.ts";
import { peerPaths } from "./peers/routes.ts";
import { describePinning, detectPinning, pinThisProcess } from "./pinning.ts";
import {
  apiHeaders,
  bffTasksPath,
  loadPlan,
  newTaskBody,
  overheadOf,
  type PhaseSpec,
  type PlanInput,
  phaseIds,
  phaseResult,
  secondPass,
  seededTasks,
  tasksPath,
} from "./plan.ts";
import { installCleanup, stop, type Watchdog } from "./processes.ts";
import { failureSummary, ratios, referenceOf, renderComparison, renderMarkdown } from "./report.ts";
import { latestJson, readLatest, readResults, writeResults } from "./results-files.ts";
import {
  bffBundle,
  build,
  downstreamApisFile,
  freePort,
  httpDiscoveryUrl,
  isBuilt,
  memoryOf,
  pinServers,
  type RunningServer,
  repoRoot,
  spaDir,
  startBareProxy,
  startBaseline,
  startBff,
  startEmulator,
  startMsalSessionPeer,
  startOpenidConnectPeer,
  startTasksApi,
  tasksApiBundle,
} from "./servers.ts";
import { probe, type RequestOptions, request, signInAll, signInRoutes } from "./sign-in.ts";
import { measureSpa } from "./spa-size.ts";
import { checkTargets, hasFailures } from "./targets.ts";
import type { BenchResults, MemoryReport, PhaseResult, SkippedPhase } from "./types.ts";
import { benchUsers } from "./users.ts";

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The dev registration of the Tasks API (the emulator's default; TASKS_API_CLIENT_ID's). */
const tasksScope = "api://00000000-0000-0000-0000-00000007a5c5/Tasks.ReadWrite";

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (args.help) {
    log(usage);
    return 0;
  }
  const compare = args.compare;
  if (compare?.old && compare.new) {
    const [old, current] = await Promise.all([readResults(compare.old), readResults(compare.new)]);
    process.stdout.write(renderComparison(old, current, { old: compare.old, new: compare.new }));
    return 0;
  }

  const mustBuild = args.build || !isBuilt();
  // Until the plan is known: building, starting the servers and signing everyone in.
  const watchdog = installCleanup((120 + (mustBuild ? 240 : 0)) * 1000);
  // Read before this run replaces it.
  const previous = compare
    ? await (compare.old ? readResults(compare.old) : readLatest()).catch((error: Error) => {
        log(`--compare: ${error.message}; nothing to compare with`);
        return undefined;
      })
    : undefined;
  if (compare && !compare.old && previous === undefined) {
    log(`--compare: no usable ${latestJson} yet`);
  }

  if (mustBuild) {
    log("building (pnpm build)…");
    await build();
  }
  const results = await measure(args, new Date(), watchdog);
  const markdown = renderMarkdown(results);
  const file = await writeResults(results, markdown);
  process.stdout.write(`\n${markdown}`);
  log(`\nwritten: ${file} and latest.json/.md beside it`);
  if (previous) {
    const labels = { old: compare?.old ?? "previous latest", new: "this run" };
    process.stdout.write(`\n${renderComparison(previous, results, labels)}`);
  }
  watchdog.disarm();

  const failing = results.phases.filter(hasFailures);
  for (const phase of failing) {
    const sides = phase.sides.filter((side) => failureSummary(side) !== "0");
    log(
      `⚠ FAILURES in ${phase.id}: ${sides.map((s) => `${s.id} ${failureSummary(s)}`).join("; ")}`,
    );
  }
  return failing.length ? 1 : 0;
}

interface Ports {
  bff: number;
  quietBff: number;
  openidConnect: number;
  msalSession: number;
}

async function measure(args: BenchArgs, date: Date, watchdog: Watchdog): Promise<BenchResults> {
  const pinning = detectPinning();
  pinThisProcess(pinning);
  pinServers(pinning);
  const users = benchUsers(args.users);
  const upns = users.map((user) => user.userPrincipalName);
  const ports: Ports = {
    bff: await freePort(),
    quietBff: await freePort(),
    openidConnect: await freePort(),
    msalSession: await freePort(),
  };
  const client: ClientRegistration = {
    clientId: randomUUID(),
    clientSecret: "dev-only-bench-secret",
    redirectUris: [
      `http://localhost:${ports.bff}${paths.callback}`,
      `http://localhost:${ports.openidConnect}${peerPaths.openidConnect.callback}`,
      `http://localhost:${ports.msalSession}${peerPaths.msalSession.callback}`,
    ],
  };
  const skipped: SkippedPhase[] = [];
  const skip = (ids: string[], reason: string) => {
    for (const id of ids) skipped.push({ id, title: skippedTitles[id] ?? id, reason });
  };
  const notes: string[] = [];
  for (const note of [
    staleBuildNote(bffBundle, [`${repoRoot}apps/bff/src`, `${repoRoot}packages/contract/src`]),
    staleBuildNote(tasksApiBundle, [`${repoRoot}apps/tasks-api/src`]),
  ]) {
    if (note) notes.push(note);
  }

  let graphProxyReason = graphProxyMissing(downstreamApisFile);
  let tasksReason = tasksMissing(downstreamApisFile, tasksApiBundle);

  let emulator: Emulator | undefined;
  const servers: RunningServer[] = [];
  let worker: LoadWorker | undefined;
  let tasksDataDir: string | undefined;
  try {
    emulator = await startEmulator(users, client);
    const started = (server: RunningServer) => {
      servers.push(server);
      return server;
    };

    // Consent for the later phases' scopes, as if each user had accepted the prompt.
    if (!graphProxyReason) {
      graphProxyReason = grantConsent(emulator, upns, ["User.ReadBasic.All"], client);
    }
    const graphScopes = ["User.Read", ...(graphProxyReason ? [] : ["User.ReadBasic.All"])];
    const graphToken = await accessToken(emulator, client, upns[0]!, graphScopes);

    let tasks: { server: RunningServer; token: string } | undefined;
    if (!tasksReason) tasksReason = grantConsent(emulator, upns, [tasksScope], client);
    if (!tasksReason) {
      try {
        tasksDataDir = await mkdtemp(join(tmpdir(), "bench-tasks-"));
        const server = started(await startTasksApi(emulator, tasksDataDir));
        tasks = { server, token: await accessToken(emulator, client, upns[0]!, [tasksScope]) };
      } catch (error) {
        tasksReason = `the Tasks API could not be started or gave no token: ${message(error)}`;
      }
    }

    // The shipped BFF and the one with request logging off share keys and public origin,
    // so the second accepts the first one's sessions: the same cookies, byte for byte.
    const sessionKeys = randomBytes(32).toString("base64");
    const bffOptions = (downstream: boolean) => ({
      publicPort: ports.bff,
      sessionKeys,
      ...(downstream
        ? {
            downstream: {
              file: downstreamApisFile,
              ...(tasks ? { tasksApiUrl: tasks.server.origin } : {}),
            },
          }
        : {}),
    });
    const startBffs = (downstream: boolean) =>
      Promise.all([
        startBff(emulator!, client, {
          ...bffOptions(downstream),
          port: ports.bff,
          logLevel: "info",
        }),
        startBff(emulator!, client, {
          ...bffOptions(downstream),
          port: ports.quietBff,
          logLevel: "warn",
          countStdout: true,
        }),
      ]);
    const downstream = !graphProxyReason || !tasksReason;
    let bffs: [RunningServer, RunningServer];
    try {
      bffs = await startBffs(downstream);
    } catch (error) {
      if (!downstream) throw error;
      const reason = `the BFF did not start with DOWNSTREAM_APIS_FILE=${downstreamApisFile}: ${message(error)}`;
      graphProxyReason ??= reason;
      tasksReason ??= reason;
      log(`${reason}\nstarting it without`);
      bffs = await startBffs(false);
    }
    const [bff, quietBff] = bffs.map(started) as [RunningServer, RunningServer];
    const { rssBytes: readyRssBytes } = await memoryOf(bff.child);

    const discovery = httpDiscoveryUrl(emulator);
    const metadata = (await (await fetch(discovery)).json()) as {
      issuer: string;
      authorization_endpoint: string;
    };
    const issuerBaseUrl = openidConnectIssuerBaseUrl(metadata, discovery);
    const secret = () => randomBytes(32).toString("base64url");
    const [bare, bareLogged, openidConnect, msalSession, bareProxy] = (
      await Promise.all([
        startBaseline("none"),
        startBaseline("bff"),
        startOpenidConnectPeer(emulator, client, ports.openidConnect, issuerBaseUrl, secret()),
        startMsalSessionPeer(emulator, client, ports.msalSession, secret()),
        startBareProxy(emulator, graphToken),
      ])
    ).map(started) as RunningServer[] as [
      RunningServer,
      RunningServer,
      RunningServer,
      RunningServer,
      RunningServer,
    ];
    notes.push(`express-openid-connect's issuerBaseURL: ${issuerBaseUrl}.`);
    worker = startLoadWorker(emulator.caFile);
    log(`emulator ${emulator.url}, BFF ${bff.origin} (and ${quietBff.origin} with LOG_LEVEL=warn)`);

    log(`signing ${upns.length} users in to the BFF and to each peer…`);
    const [sessions, openidConnectSessions, msalSessions] = await Promise.all([
      signInAll(bff.origin, upns),
      signInAll(openidConnect.origin, upns, signInRoutes.openidConnect),
      signInAll(msalSession.origin, upns, signInRoutes.msalSession),
    ]);
    // Sessions whose access token is already inside the BFF's renewal margin: every
    // /api/me with them renews. Their re-issued cookies are not replayed, so they stay so.
    const lifetime = emulator.settings.accessTokenLifetimeSeconds;
    emulator.settings.accessTokenLifetimeSeconds = 1;
    const expiredSessions = await signInAll(bff.origin, upns);
    emulator.settings.accessTokenLifetimeSeconds = lifetime;

    const graphUrl = new URL(emulator.graphBaseUrl);
    const ca = await readFile(emulator.caFile, "utf8");
    // By address: the certificate names 127.0.0.1 too, and "localhost" may resolve to ::1.
    const graphOrigin = `https://127.0.0.1:${graphUrl.port}`;
    const bearer = { authorization: `Bearer ${graphToken}`, accept: "application/json" };
    const session = paths.session;
    notes.push(
      await probe("GET /auth/session", `${bff.origin}${session}`, {
        cookies: sessions[0]!,
        signedIn: true,
      }),
      await probe("GET /auth/session, LOG_LEVEL=warn", `${quietBff.origin}${session}`, {
        cookies: sessions[0]!,
        signedIn: true,
      }),
      await probe("express-openid-connect GET /auth/session", `${openidConnect.origin}${session}`, {
        cookies: openidConnectSessions[0]!,
        signedIn: true,
      }),
      await probe("express-session GET /auth/session", `${msalSession.origin}${session}`, {
        cookies: msalSessions[0]!,
        signedIn: true,
      }),
      await probe("GET /api/me", `${bff.origin}${paths.me}`, {
        cookies: sessions[0]!,
        headers: apiHeaders,
      }),
      await probe("GET /api/me, expired access token", `${bff.origin}${paths.me}`, {
        cookies: expiredSessions[0]!,
        headers: apiHeaders,
      }),
      await probe("bare proxy /api/graph/me", `${bareProxy.origin}${peerPaths.bareProxyGraph}/me`),
    );
    const directMe = await httpsRequest(`${graphOrigin}${graphUrl.pathname}/me`, ca, {
      headers: bearer,
    });
    if (directMe.status !== 200) {
      throw new Error(`Graph /v1.0/me answered ${directMe.status}: ${directMe.body.slice(0, 500)}`);
    }

    // The proxied Graph call: it runs only if all three answer 200 for a colleague's card,
    // the BFF for every session (which also fills its token cache: "with a cached token").
    const colleague = users[1 % users.length]!.oid;
    if (!graphProxyReason) {
      const usersPath = `/users/${colleague}`;
      const direct = await httpsRequest(`${graphOrigin}${graphUrl.pathname}${usersPath}`, ca, {
        headers: bearer,
      }).catch((error: unknown) => ({ status: 0, body: message(error) }));
      if (direct.status !== 200) {
        graphProxyReason = `Graph ${usersPath} answered ${direct.status}: ${direct.body.slice(0, 200)}`;
      }
      graphProxyReason ??= await firstFailure([
        [
          `the bare proxy's ${usersPath}`,
          `${bareProxy.origin}${peerPaths.bareProxyGraph}${usersPath}`,
          {},
        ],
        ...sessions.map(
          (cookies) =>
            [
              `the BFF's GET /api/graph${usersPath}`,
              `${bff.origin}${paths.apiPrefix}/graph${usersPath}`,
              { cookies, headers: apiHeaders },
            ] as const,
        ),
      ]);
    }
    if (!tasksReason && tasks) {
      tasksReason = await tasksReady(tasks.server.origin, tasks.token, bff.origin, sessions);
    }
    if (graphProxyReason) skip([phaseIds.graphProxy, phaseIds.graphProxySerial], graphProxyReason);
    if (tasksReason) skip([phaseIds.tasksList, phaseIds.tasksCreate], tasksReason);

    const input: PlanInput = {
      connections: args.connections,
      upns,
      bare,
      bareLogged,
      bff: { origin: bff.origin, sessions, expiredSessions },
      quietBff,
      openidConnect: { origin: openidConnect.origin, sessions: openidConnectSessions },
      msalSession: { origin: msalSession.origin, sessions: msalSessions },
      graph: { origin: graphOrigin, basePath: graphUrl.pathname, token: graphToken },
      bareProxy,
      ...(graphProxyReason ? {} : { graphProxy: { userId: colleague } }),
      ...(tasksReason || !tasks
        ? {}
        : { tasks: { origin: tasks.server.origin, token: tasks.token } }),
    };
    const plan = loadPlan(input);
    const repeat = secondPass(plan);
    watchdog.extend(planBudgetMs(plan, repeat.length, args));

    const pids: Record<string, number> = {
      bare: bare.child.pid!,
      "bare-logged": bareLogged.child.pid!,
      bff: bff.child.pid!,
      "bff-quiet": quietBff.child.pid!,
      "express-session": msalSession.child.pid!,
      "express-openid-connect": openidConnect.child.pid!,
      "bare-proxy": bareProxy.child.pid!,
      emulator: process.pid,
      ...(tasks ? { "tasks-api": tasks.server.child.pid! } : {}),
    };
    const slices = Math.max(1, Math.round(args.seconds));
    const quietLinesBefore = quietBff.stdoutLines();
    // The CPU of every process of the benchmark (servers, this one, the load worker), to
    // tell the machine's other load from ours.
    const load = worker;
    const ourCpuMs = async () => {
      const all = [...new Set([...Object.values(pids), load.pid])];
      const times = await Promise.all(all.map((pid) => cpuTimeMs(pid).catch(() => 0)));
      return times.reduce((sum, ms) => sum + ms, 0);
    };
    const loadSince = async (ticks: Awaited<ReturnType<typeof readCpuTicks>>, oursMs: number) =>
      machineLoadBetween(ticks, await readCpuTicks(), (await ourCpuMs()) - oursMs);
    const runStart = { ticks: await readCpuTicks(), oursMs: await ourCpuMs() };
    const phases: PhaseResult[] = [];
    // Before each phase, the sessions as a browser would hold them by then (fresh-sessions.ts);
    // the plan rebuilt with their cookies, the same phases in the same order.
    const freshPlan = async () => {
      await keepSessionsFresh(bff.origin, sessions, apiHeaders);
      return loadPlan(input);
    };
    for (let index = 0; index < plan.length; index++) {
      const spec = (await freshPlan())[index]!;
      const connections = `${spec.connections} connection${spec.connections === 1 ? "" : "s"}`;
      log(
        `phase ${index + 1}/${plan.length}: ${spec.title} (${connections}, ${spec.sides.length} servers)…`,
      );
      const before = { ticks: await readCpuTicks(), oursMs: await ourCpuMs() };
      const figures = await withTokenLifetime(emulator, spec, () =>
        worker!.run({
          id: spec.id,
          connections: spec.connections,
          sides: spec.sides,
          seconds: args.seconds,
          slices,
          warmupSeconds: args.warmupSeconds,
          pids,
        }),
      );
      const phase = phaseResult(spec, figures, await loadSince(before.ticks, before.oursMs));
      phases.push(phase);
      logPhase(phase);
    }
    const quietLines = quietBff.stdoutLines() - quietLinesBefore;
    const { rssBytes: firstPassRssBytes } = await memoryOf(bff.child);

    log(`second pass: the BFF's ${repeat.length} loaded sides once more, for the memory check…`);
    const repeated: MemoryReport["repeated"] = [];
    const firstSeconds = args.warmupSeconds + args.seconds;
    for (let index = 0; index < repeat.length; index++) {
      const { phase, side } = secondPass(await freshPlan())[index]!;
      const first = phases.find((p) => p.id === phase.id)!.sides.find((s) => s.id === side.id)!;
      // The same work as the first time (its warm-up's share included), not the same
      // seconds: a machine busier in one pass would otherwise do less in it.
      const amount = Math.max(
        1,
        Math.round(((first.ok + first.failed) * firstSeconds) / args.seconds),
      );
      const figures = await withTokenLifetime(emulator, phase, () =>
        worker!.run({
          id: `${phase.id}/${side.id}, second pass`,
          connections: phase.connections,
          sides: [{ ...side, amount }],
          seconds: 3 * firstSeconds,
          slices: 1,
          warmupSeconds: 0,
          pids,
        }),
      );
      repeated.push({ phase: phase.id, side: side.id, amount, first, second: figures.sides[0]! });
    }
    const runLoad = await loadSince(runStart.ticks, runStart.oursMs);
    const after = await memoryOf(bff.child);

    const quietRequests = phases
      .flatMap((phase) => phase.sides.filter((side) => side.server === "bff-quiet"))
      .reduce((sum, side) => sum + side.ok + side.failed, 0);
    const measured = {
      version: 3 as const,
      machine: describeMachine(repoRoot, date, runLoad, describePinning(pinning)),
      settings: {
        seconds: args.seconds,
        warmupSeconds: args.warmupSeconds,
        slices,
        connections: args.connections,
        users: args.users,
      },
      phases,
      skipped,
      overhead: overheadOf(phases),
      cookies: measureCookies(sessions[0]!),
      spa: await measureSpa(spaDir),
      memory: {
        readyRssBytes,
        firstPassRssBytes,
        secondPassRssBytes: after.rssBytes,
        peakRssBytes: after.peakRssBytes,
        repeated,
      },
      quietLog: { setting: "LOG_LEVEL=warn", lines: quietLines, requests: quietRequests },
      notes,
    };
    return { ...measured, targets: checkTargets(measured) };
  } finally {
    await worker?.close();
    await Promise.all(servers.map((server) => stop(server.child)));
    await emulator?.close();
    if (tasksDataDir) await rm(tasksDataDir, { recursive: true, force: true });
  }
}

const skippedTitles: Record<string, string> = {
  [phaseIds.graphProxy]: "a proxied Graph call with a cached token",
  [phaseIds.graphProxySerial]: "a proxied Graph call with a cached token, 1 connection",
  [phaseIds.tasksList]: "Tasks: list",
  [phaseIds.tasksCreate]: "Tasks: create, then delete",
};

/** Runs `run` with the emulator's access-token lifetime the phase asks for, if any. */
async function withTokenLifetime<T>(
  emulator: Emulator,
  phase: PhaseSpec,
  run: () => Promise<T>,
): Promise<T> {
  const { accessTokenLifetimeSeconds } = phase;
  if (accessTokenLifetimeSeconds === undefined) return run();
  const lifetime = emulator.settings.accessTokenLifetimeSeconds;
  emulator.settings.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds;
  try {
    return await run();
  } finally {
    emulator.settings.accessTokenLifetimeSeconds = lifetime;
  }
}

/** Grants consent through the emulator's admin interface; the reason when it cannot. */
function grantConsent(
  emulator: Emulator,
  upns: string[],
  scopes: string[],
  client: ClientRegistration,
): string | undefined {
  try {
    for (const upn of upns) emulator.consents.grant(upn, scopes, client.clientId);
    return undefined;
  } catch (error) {
    return `the emulator did not record consent to ${scopes.join(" ")}: ${message(error)}`;
  }
}

/**
 * Whether the Tasks API answers directly and through the BFF: each user's list, then each
 * user given `seededTasks` tasks (what the list phase lists), then one task created and
 * deleted through the BFF (the create phase's round trip). Describes the first failure.
 */
async function tasksReady(
  tasksOrigin: string,
  token: string,
  bffOrigin: string,
  sessions: StoredCookie[][],
): Promise<string | undefined> {
  const listed = await firstFailure([
    [
      `the Tasks API's GET ${tasksPath}`,
      `${tasksOrigin}${tasksPath}`,
      { headers: { authorization: `Bearer ${token}` } },
    ],
    ...sessions.map(
      (cookies) =>
        [
          `the BFF's GET ${bffTasksPath}`,
          `${bffOrigin}${bffTasksPath}`,
          { cookies, headers: apiHeaders },
        ] as const,
    ),
  ]);
  if (listed) return listed;
  const create = { method: "POST" as const, headers: apiHeaders, json: JSON.parse(newTaskBody) };
  for (const cookies of sessions) {
    for (let i = 0; i < seededTasks; i++) {
      const { status, body } = await request(`${bffOrigin}${bffTasksPath}`, { ...create, cookies });
      if (status !== 201)
        return `the BFF's POST ${bffTasksPath} answered ${status}: ${body.slice(0, 200)}`;
    }
  }
  const created = await request(`${bffOrigin}${bffTasksPath}`, {
    ...create,
    cookies: sessions[0]!,
  });
  const id = (JSON.parse(created.body) as { id?: unknown }).id;
  const deleted = await request(`${bffOrigin}${bffTasksPath}/${encodeURIComponent(String(id))}`, {
    method: "DELETE",
    headers: { ...apiHeaders, "if-match": created.etag ?? "" },
    cookies: sessions[0]!,
  });
  return deleted.status >= 200 && deleted.status < 300
    ? undefined
    : `the BFF's DELETE ${bffTasksPath}/{id} answered ${deleted.status}: ${deleted.body.slice(0, 200)}`;
}

/** Runs the requests in turn; describes the first that does not answer 200. */
async function firstFailure(
  requests: (readonly [string, string, RequestOptions])[],
): Promise<string | undefined> {
  for (const [name, url, options] of requests) {
    try {
      const { status, body } = await request(url, options);
      if (status !== 200) return `${name} answered ${status}: ${body.slice(0, 200)}`;
    } catch (error) {
      return `${name} did not answer: ${message(error)}`;
    }
  }
  return undefined;
}

function logPhase(phase: PhaseResult): void {
  const reference = referenceOf(phase);
  for (const side of phase.sides) {
    const r = ratios(side, reference);
    log(
      `  ${side.id}: ${perSecond(side.perSecond)}/s (×${ratio(r.perSecond)}), ` +
        `p50 ${ms(side.p50Ms)} ms, p99 ${ms(side.p99Ms)} ms, CPU ${us(side.serverCpuUs)} µs ` +
        `each (×${ratio(r.cpu)}), failures ${failureSummary(side)}`,
    );
  }
}

/** Every side's warm-up and slices, and the second pass (at most 3 × each), with room. */
function planBudgetMs(plan: PhaseSpec[], repeats: number, args: BenchArgs): number {
  const sideSeconds = args.warmupSeconds + args.seconds;
  const sides = plan.reduce((sum, phase) => sum + phase.sides.length, 0);
  return (60 + 2 * sides * sideSeconds + 3 * repeats * sideSeconds) * 1000;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
