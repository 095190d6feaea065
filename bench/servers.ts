// The servers under test: the emulator in this process, the production BFF bundle and the
// baseline in child processes on 127.0.0.1, their logs going nowhere (as /dev/null).

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
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
import { tailOf, track } from "./processes.ts";

export const repoRoot = new URL("../", import.meta.url).pathname;
export const bffBundle = `${repoRoot}apps/bff/dist/server.js`;
export const spaDir = `${repoRoot}apps/web/dist`;
const host = "127.0.0.1";

export interface RunningServer {
  child: ChildProcess;
  /** Where to connect: http://127.0.0.1:<port>. */
  origin: string;
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

/** A free port on 127.0.0.1 (the BFF's must be known before the emulator registers it). */
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

/**
 * `node apps/bff/dist/server.js` configured as in production (LOG_LEVEL info, the SPA
 * served), pointed at the emulator. Resolves once /readyz answers 200.
 */
export async function startBff(
  emulator: Emulator,
  client: ClientRegistration,
  port: number,
): Promise<RunningServer> {
  const env = {
    PATH: process.env.PATH,
    ENTRA_AUTHORITY: emulator.authority,
    ENTRA_CLIENT_ID: client.clientId,
    ENTRA_CLIENT_SECRET: client.clientSecret,
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    PUBLIC_ORIGIN: `http://localhost:${port}`,
    SESSION_KEYS: randomBytes(32).toString("base64"),
    NODE_EXTRA_CA_CERTS: emulator.caFile,
    PORT: String(port),
    HOST: host,
    LOG_LEVEL: "info",
    ...(existsSync(spaDir) ? { STATIC_DIR: spaDir } : {}),
  };
  const child = track(
    spawn(process.execPath, [bffBundle], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    }),
  );
  const origin = `http://${host}:${port}`;
  await waitForOk(child, `${origin}${paths.readyz}`, tailOf(child));
  return { child, origin };
}

/** The baseline (bench/baseline-server.ts) in its own process, like the BFF. */
export async function startBaseline(): Promise<RunningServer> {
  const port = await freePort();
  const child = track(
    spawn(
      process.execPath,
      ["--import", "tsx", new URL("./baseline-server.ts", import.meta.url).pathname],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, PORT: String(port), HOST: host },
        stdio: ["ignore", "ignore", "pipe"],
      },
    ),
  );
  const origin = `http://${host}:${port}`;
  await waitForOk(child, `${origin}/`, tailOf(child));
  return { child, origin };
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
