// `pnpm bench`: starts the emulator, the production BFF and a baseline server, signs test
// users in, drives each path from a separate load process, and records every figure as a
// ratio to the baseline measured in the same run. See bench/README.md.
import { randomUUID } from "node:crypto";
import { paths } from "@entra-bff/contract";
import type { ClientRegistration, Emulator } from "@entra-bff/entra-emulator";
import { type BenchArgs, parseBenchArgs, usage } from "./args.ts";
import { measureCookies } from "./cookies.ts";
import { graphAccessToken } from "./graph-token.ts";
import { type LoadWorker, startLoadWorker } from "./load-client.ts";
import { describeMachine } from "./machine.ts";
import { apiHeaders, baselineLoad, loadPlan, overheadOf, phaseCount, phaseResult } from "./plan.ts";
import { installCleanup, stop } from "./processes.ts";
import {
  checkTargets,
  failureSummary,
  hasFailures,
  ms,
  ratio,
  ratios,
  renderComparison,
  renderMarkdown,
} from "./report.ts";
import { latestJson, readLatest, readResults, writeResults } from "./results-files.ts";
import {
  build,
  freePort,
  isBuilt,
  memoryOf,
  type RunningServer,
  repoRoot,
  spaDir,
  startBaseline,
  startBff,
  startEmulator,
} from "./servers.ts";
import { probe, signInAll } from "./sign-in.ts";
import { measureSpa } from "./spa-size.ts";
import type { BenchResults, PhaseResult } from "./types.ts";
import { benchUsers } from "./users.ts";

const log = (line: string) => process.stderr.write(`${line}\n`);

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
  // Each phase runs its warm-up and its slices twice: once itself, once the baseline.
  const phaseSeconds = 2 * (args.seconds + args.warmupSeconds) + 10;
  const disarm = installCleanup((60 + phaseCount * phaseSeconds + (mustBuild ? 240 : 0)) * 1000);
  // Read before this run replaces it.
  const previous = compare
    ? compare.old
      ? await readResults(compare.old)
      : await readLatest()
    : undefined;
  if (compare && !previous) log(`--compare: no ${latestJson} yet, nothing to compare with`);

  if (mustBuild) {
    log("building (pnpm build)…");
    await build();
  }
  const results = await measure(args, new Date());
  const markdown = renderMarkdown(results);
  const file = await writeResults(results, markdown);
  process.stdout.write(`\n${markdown}`);
  log(`\nwritten: ${file} and latest.json/.md beside it`);
  if (previous) {
    const labels = {
      old: compare?.old ?? "previous latest",
      new: "this run",
    };
    process.stdout.write(`\n${renderComparison(previous, results, labels)}`);
  }
  disarm();

  const failing = results.phases.filter(hasFailures);
  for (const phase of failing) log(`⚠ FAILURES in ${phase.id}: ${failureSummary(phase)}`);
  return failing.length ? 1 : 0;
}

async function measure(args: BenchArgs, date: Date): Promise<BenchResults> {
  const users = benchUsers(args.users);
  const upns = users.map((user) => user.userPrincipalName);
  const bffPort = await freePort();
  const client: ClientRegistration = {
    clientId: randomUUID(),
    clientSecret: "dev-only-bench-secret",
    redirectUris: [`http://localhost:${bffPort}/auth/callback`],
  };

  let emulator: Emulator | undefined;
  const servers: RunningServer[] = [];
  let worker: LoadWorker | undefined;
  try {
    emulator = await startEmulator(users, client);
    const bff = await startBff(emulator, client, bffPort);
    servers.push(bff);
    const { rssBytes: startRssBytes } = await memoryOf(bff.child);
    const baseline = await startBaseline();
    servers.push(baseline);
    worker = startLoadWorker(emulator.caFile);
    log(`emulator ${emulator.url}, BFF ${bff.origin}, baseline ${baseline.origin}`);

    log(`signing in ${upns.length} users…`);
    const sessions = await signInAll(bff.origin, upns);
    const graphToken = await graphAccessToken(emulator, client, upns[0]!);
    // Sessions whose access token is already inside the BFF's renewal margin: every
    // /api/me with them renews. Their re-issued cookies are not replayed, so they stay so.
    const lifetime = emulator.settings.accessTokenLifetimeSeconds;
    emulator.settings.accessTokenLifetimeSeconds = 1;
    const expiredSessions = await signInAll(bff.origin, upns);
    emulator.settings.accessTokenLifetimeSeconds = lifetime;

    const meUrl = `${bff.origin}${paths.me}`;
    const notes = [
      await probe("GET /auth/session", `${bff.origin}${paths.session}`, sessions[0]!),
      await probe("GET /api/me", meUrl, sessions[0]!, apiHeaders),
      await probe("GET /api/me, expired access token", meUrl, expiredSessions[0]!, apiHeaders),
    ];

    const plan = loadPlan({
      bffOrigin: bff.origin,
      graphBaseUrl: emulator.graphBaseUrl,
      graphToken,
      sessions,
      expiredSessions,
      upns,
      connections: args.connections,
    });
    const pids = { bff: bff.child.pid!, baseline: baseline.child.pid!, emulator: process.pid };
    const slices = sliceCount(args.seconds);
    const phases: PhaseResult[] = [];
    for (const [index, spec] of plan.entries()) {
      const connections = `${spec.connections} connection${spec.connections === 1 ? "" : "s"}`;
      log(`phase ${index + 1}/${plan.length}: ${spec.title} (${connections})…`);
      const figures = await worker.run({
        target: spec,
        baseline: baselineLoad(baseline.origin, spec.connections),
        seconds: args.seconds,
        slices,
        warmupSeconds: args.warmupSeconds,
        pids,
      });
      const phase = phaseResult(spec, figures);
      phases.push(phase);
      const r = ratios(phase);
      log(
        `  ${phase.perSecond.toFixed(1)}/s (×${ratio(r.perSecond)}), p50 ${ms(phase.p50Ms)} ms, ` +
          `p99 ${ms(phase.p99Ms)} ms, ${phase.server} CPU ${phase.serverCpuUs.toFixed(0)} µs each ` +
          `(×${ratio(r.cpu)}), failures ${failureSummary(phase)}; baseline ` +
          `${phase.baseline.perSecond.toFixed(0)}/s`,
      );
    }

    const measured = {
      version: 2 as const,
      machine: describeMachine(repoRoot, date),
      settings: {
        seconds: args.seconds,
        warmupSeconds: args.warmupSeconds,
        slices,
        connections: args.connections,
        users: args.users,
      },
      phases,
      overhead: overheadOf(phases),
      cookies: measureCookies(sessions[0]!),
      spa: await measureSpa(spaDir),
      bff: { startRssBytes, ...(await memoryOf(bff.child)) },
      notes,
    };
    return { ...measured, targets: checkTargets(measured) };
  } finally {
    await worker?.close();
    await Promise.all(servers.map((server) => stop(server.child)));
    await emulator?.close();
  }
}

/** Slices of about a second: short enough to see the same machine, long enough to fill. */
function sliceCount(seconds: number): number {
  return Math.max(1, Math.round(seconds));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
