// The servers under test: the emulator in this process; the production BFF bundle, the bare
// Fastify baselines, the peers, the bare proxy and (once built) the Tasks API in child
// processes on 127.0.0.1, their logs going nowhere (as /dev/null) unless counted.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { paths } from "@entra-bff/contract";
import {
  type ClientRegistration,
  createEmulator,
  type Emulator,
  type TestUser,
} from "@entra-bff/entra-emulator";
import { peerPaths } from "./peers/routes.ts";
import { type Pinning, serverCommand } from "./pinning.ts";
import { countLines, tailOf, track } from "./processes.ts";

export const repoRoot = new URL("../", import.meta.url).pathname;
export const bffBundle = `${repoRoot}apps/bff/dist/server.js`;
export const tasksApiBundle = `${repoRoot}apps/tasks-api/dist/server.js`;
export const downstreamApisFile = `${repoRoot}config/downstream-apis.json`;
export const spaDir = `${repoRoot}apps/web/dist`;
const host = "127.0.0.1";

export interface RunningServer {
  child: ChildProcess;
  /** Where to connect: http://127.0.0.1:<port>. */
  origin: string;
  /** Lines written to stdout so far, when they are counted (else always 0). */
  stdoutLines: () => number;
}

/** `pnpm build` (BFF bundle and SPA), bounded in time. */
export async function build(): Promise<void> {
  const child = track(
    spawn("pnpm", ["build"], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] }),
  );
  const stderr = tailOf(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`pnpm build failed (exit ${code}):\n${stderr()}`);
}

export function isBuilt(): boolean {
  return existsSync(bffBundle) && existsSync(`${spaDir}/index.html`);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

export function startEmulator(users: TestUser[], client: ClientRegistration): Promise<Emulator> {
  return createEmulator({ port: 0, host, users, clients: [client] });
}

interface ChildServer {
  /** A script (run with tsx when it is TypeScript) and its arguments. */
  script: string;
  port: number;
  env: Record<string, string | undefined>;
  /** Answers 200 once the server is ready. */
  readyPath: string;
  /** Count the lines the server writes to stdout (instead of discarding them). */
  countStdout?: boolean;
}

let pinning: Pinning = { pinned: false, reason: "not chosen" };

/** Where the servers started from now on run (pinning.ts). */
export function pinServers(choice: Pinning): void {
  pinning = choice;
}

async function startChild(server: ChildServer): Promise<RunningServer> {
  const script = server.script.endsWith(".ts")
    ? ["--import", "tsx", server.script]
    : [server.script];
  const { command, args } = serverCommand(pinning, process.execPath, script);
  const child = track(
    spawn(command, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOST: host, PORT: String(server.port), ...server.env },
      stdio: ["ignore", server.countStdout ? "pipe" : "ignore", "pipe"],
    }),
  );
  const stdoutLines = server.countStdout ? countLines(child) : () => 0;
  const origin = `http://${host}:${server.port}`;
  await waitForOk(child, `${origin}${server.readyPath}`, tailOf(child));
  return { child, origin, stdoutLines };
}

export interface BffOptions {
  port: number;
  /** The origin the browser sees: two instances may share one, and so the sessions. */
  publicPort: number;
  /** The session keys: instances that share them accept each other's cookies. */
  sessionKeys: string;
  /** "info" as shipped; "warn" turns request logging off. */
  logLevel: "info" | "warn";
  /** DOWNSTREAM_APIS_FILE and the settings its declarations name. */
  downstream?: { file: string; tasksApiUrl?: string };
  countStdout?: boolean;
}

/**
 * `node apps/bff/dist/server.js` configured as in production (the SPA served), pointed at
 * the emulator. Resolves once /readyz answers 200.
 */
export function startBff(
  emulator: Emulator,
  client: ClientRegistration,
  options: BffOptions,
): Promise<RunningServer> {
  const tasksApiUrl = options.downstream?.tasksApiUrl;
  return startChild({
    script: bffBundle,
    port: options.port,
    readyPath: paths.readyz,
    countStdout: options.countStdout ?? false,
    env: {
      ENTRA_AUTHORITY: emulator.authority,
      ENTRA_CLIENT_ID: client.clientId,
      ENTRA_CLIENT_SECRET: client.clientSecret,
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      PUBLIC_ORIGIN: `http://localhost:${options.publicPort}`,
      SESSION_KEYS: options.sessionKeys,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
      LOG_LEVEL: options.logLevel,
      ...(existsSync(spaDir) ? { STATIC_DIR: spaDir } : {}),
      ...(options.downstream ? { DOWNSTREAM_APIS_FILE: options.downstream.file } : {}),
      // The Tasks API listens on http here, as it does inside a compose network.
      ...(tasksApiUrl
        ? { TASKS_API_URL: tasksApiUrl, ALLOW_HTTP_UPSTREAMS: new URL(tasksApiUrl).hostname }
        : {}),
    },
  });
}

/** A bare Fastify route (bench/baseline-server.ts): without a logger, or with the BFF's. */
export async function startBaseline(logger: "none" | "bff"): Promise<RunningServer> {
  return startChild({
    script: new URL("./baseline-server.ts", import.meta.url).pathname,
    port: await freePort(),
    readyPath: "/",
    env: { BASELINE_LOGGER: logger },
  });
}

/** The emulator's discovery document over http, which this process can read (no CA needed). */
export function httpDiscoveryUrl(emulator: Emulator): string {
  return `${emulator.browserUrl}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`;
}

export function startOpenidConnectPeer(
  emulator: Emulator,
  client: ClientRegistration,
  port: number,
  issuerBaseUrl: string,
  sessionSecret: string,
): Promise<RunningServer> {
  return startChild({
    script: new URL("./peers/express-openid-connect.ts", import.meta.url).pathname,
    port,
    readyPath: peerPaths.healthz,
    env: {
      ISSUER_BASE_URL: issuerBaseUrl,
      BASE_URL: `http://localhost:${port}`,
      CLIENT_ID: client.clientId,
      CLIENT_SECRET: client.clientSecret,
      SESSION_SECRET: sessionSecret,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
    },
  });
}

export function startMsalSessionPeer(
  emulator: Emulator,
  client: ClientRegistration,
  port: number,
  sessionSecret: string,
): Promise<RunningServer> {
  return startChild({
    script: new URL("./peers/express-session-msal.ts", import.meta.url).pathname,
    port,
    readyPath: peerPaths.healthz,
    env: {
      ENTRA_AUTHORITY: emulator.authority,
      BASE_URL: `http://localhost:${port}`,
      CLIENT_ID: client.clientId,
      CLIENT_SECRET: client.clientSecret,
      SESSION_SECRET: sessionSecret,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
    },
  });
}

/** bench/peers/bare-proxy.ts in front of the emulator's Graph, with one fixed token. */
export async function startBareProxy(
  emulator: Emulator,
  graphToken: string,
): Promise<RunningServer> {
  return startChild({
    script: new URL("./peers/bare-proxy.ts", import.meta.url).pathname,
    port: await freePort(),
    readyPath: peerPaths.healthz,
    env: {
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      GRAPH_TOKEN: graphToken,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
    },
  });
}

/** `node apps/tasks-api/dist/server.js` against the emulator, its database in `dataDir`. */
export async function startTasksApi(emulator: Emulator, dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  return startChild({
    script: tasksApiBundle,
    port,
    readyPath: "/healthz",
    env: {
      TASKS_API_PORT: String(port),
      TASKS_API_HOST: host,
      TASKS_API_AUTHORITY: emulator.authority,
      TASKS_DATA_DIR: dataDir,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
      LOG_LEVEL: "info",
    },
  });
}

async function waitForOk(child: ChildProcess, url: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${url}: the server exited (${child.exitCode ?? child.signalCode}):\n${stderr()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `answered ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} was not ready within 30 s (${last}):\n${stderr()}`);
}

/** Resident and peak resident memory of a child, from /proc (Linux). */
export async function memoryOf(
  child: ChildProcess,
): Promise<{ rssBytes: number; peakRssBytes: number }> {
  const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssBytes: kib("VmRSS") * 1024, peakRssBytes: kib("VmHWM") * 1024 };
}
