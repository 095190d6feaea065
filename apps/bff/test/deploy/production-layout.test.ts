import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { defaultTenantId, defaultUsers } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port.ts";
import { HttpBrowser } from "./http-browser.ts";
import {
  type DockerStage,
  parseDockerfile,
  readRepoFile,
  repoRoot,
  stageCmd,
  stageEnv,
} from "./repo-files.ts";

// Builds the images' file layouts with the very script the Dockerfile runs, then starts the
// three images as docker-compose.yml wires them (emulator, Tasks API, app), each with its own
// CMD, WORKDIR and ENV from the Dockerfile (image paths such as /app, /data and /certs mapped
// into a temp folder), and signs in through them. This is as close to `docker compose up` as
// a machine without a Docker engine gets.

const run = promisify(execFile);
const stages = parseDockerfile(readRepoFile("Dockerfile"));
const stage = (name: string) => stages.find((s) => s.name === name)!;
const out = mkdtempSync(join(tmpdir(), "entra-bff-image-"));
/** Where each image path lives here. */
const mounts: Record<string, Record<string, string>> = {
  emulator: { "/emulator": join(out, "emulator"), "/certs": join(out, "certs") },
  "tasks-api": { "/app": join(out, "tasks-api"), "/data": join(out, "tasks-data") },
  app: { "/app": join(out, "app") },
};
const clientId = "00000000-0000-0000-0000-00000000c0de";
const clientSecret = "dev-only-layout-test-secret";
const user = defaultUsers[0]!;

interface Container {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}
const containers: Container[] = [];
let origin: string;
let tasksApiEnv: Record<string, string>;
let tasksApi: Container;
let app: Container;

function mapPath(image: string, value: string): string {
  for (const [from, to] of Object.entries(mounts[image]!)) {
    if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
  }
  return value;
}

/** `docker run <image>` here: the stage's CMD in its WORKDIR with its ENV, plus `env`. */
function startImage(image: string, env: Record<string, string>): Container {
  const imageStage: DockerStage = stage(image);
  const workdir = imageStage.instructions.findLast((i) => i.keyword === "WORKDIR")!.args;
  const imageEnv = Object.fromEntries(
    Object.entries(stageEnv(imageStage)).map(([key, value]) => [key, mapPath(image, value)]),
  );
  const [command = "", ...args] = stageCmd(imageStage);
  const child = spawn(command, args, {
    cwd: mapPath(image, workdir),
    // Nothing from the developer's environment: an image has only its own ENV.
    env: { PATH: process.env.PATH, ...imageEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const container = { child, log: () => output, exited };
  containers.push(container);
  return container;
}

async function waitFor(url: string, container: Container, timeoutMs = 30_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {}
    if (container.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${url} not ready; output:\n${container.log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(container: Container): Promise<number | null> {
  if (container.child.exitCode === null) container.child.kill("SIGTERM");
  return container.exited;
}

beforeAll(async () => {
  // The Dockerfile's script, minus its `pnpm build`: `pnpm test` has just built, and a
  // rebuild now would replace the SPA under the browser tests running beside this one.
  const built = [
    "apps/bff/dist/server.js",
    "apps/web/dist/index.html",
    "apps/tasks-api/dist/server.js",
  ];
  const missing = built.filter((file) => !existsSync(join(repoRoot, file)));
  if (missing.length > 0) {
    throw new Error(`${missing.join(" and ")} missing: run \`pnpm build\` first.`);
  }
  await run("sh", ["scripts/prod-layout.sh", "--skip-build", out], {
    cwd: repoRoot,
    timeout: 300_000,
  });

  const [emulatorPort, tasksPort, appPort] = [await freePort(), await freePort(), await freePort()];
  origin = `http://localhost:${appPort}`;
  const emulator = startImage("emulator", {
    EMULATOR_HOST: "127.0.0.1",
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_CLIENT_ID: clientId,
    EMULATOR_CLIENT_SECRET: clientSecret,
    EMULATOR_REDIRECT_URIS: `${origin}/auth/callback`,
  });
  await waitFor(
    `http://127.0.0.1:${emulatorPort}/common/v2.0/.well-known/openid-configuration`,
    emulator,
  );
  const authority = `https://localhost:${emulatorPort}/${defaultTenantId}`;
  const caFile = mapPath("emulator", "/certs/ca.pem");

  tasksApiEnv = {
    TASKS_API_HOST: "127.0.0.1",
    TASKS_API_PORT: String(tasksPort),
    TASKS_API_AUTHORITY: authority,
    NODE_EXTRA_CA_CERTS: caFile,
  };
  tasksApi = startImage("tasks-api", tasksApiEnv);
  await waitFor(`http://127.0.0.1:${tasksPort}/healthz`, tasksApi);

  app = startImage("app", {
    HOST: "127.0.0.1",
    PORT: String(appPort),
    ENTRA_AUTHORITY: authority,
    ENTRA_CLIENT_ID: clientId,
    ENTRA_CLIENT_SECRET: clientSecret,
    GRAPH_BASE_URL: `https://localhost:${emulatorPort}/v1.0`,
    PUBLIC_ORIGIN: origin,
    SESSION_KEYS: randomBytes(32).toString("base64"),
    NODE_EXTRA_CA_CERTS: caFile,
    TASKS_API_URL: `http://127.0.0.1:${tasksPort}`,
  });
  await waitFor(`${origin}/healthz`, app);
}, 360_000);

afterAll(async () => {
  for (const container of containers) {
    if (container.child.exitCode === null) container.child.kill("SIGKILL");
  }
  await Promise.all(containers.map((c) => c.exited));
  rmSync(out, { recursive: true, force: true });
}, 60_000);

/** Every file under `dir`, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe("the production layouts", () => {
  it("app: the bundle, the built SPA, the declared APIs and only production dependencies", () => {
    const appDir = mounts.app!["/app"]!;
    expect(existsSync(join(appDir, "dist/server.js"))).toBe(true);
    expect(existsSync(join(appDir, "public/index.html"))).toBe(true);
    expect(readFileSync(join(appDir, "config/downstream-apis.json"), "utf8")).toBe(
      readRepoFile("config/downstream-apis.json"),
    );
    const modules = readdirSync(join(appDir, "node_modules"));
    for (const devOnly of ["vitest", "esbuild", "typescript", "tsx", "@entra-bff"]) {
      expect(modules).not.toContain(devOnly);
    }
    const top = readdirSync(appDir);
    for (const devFile of ["src", "test", ".env", "tsconfig.json", "build.mjs"]) {
      expect(top).not.toContain(devFile);
    }
  });

  it("tasks-api: the bundle with a better-sqlite3 that loads, and no dev dependencies", async () => {
    const dir = mounts["tasks-api"]!["/app"]!;
    expect(existsSync(join(dir, "dist/server.js"))).toBe(true);
    const modules = readdirSync(join(dir, "node_modules"));
    expect(modules).toContain("better-sqlite3");
    for (const devOnly of ["vitest", "esbuild", "typescript", "tsx", "@entra-bff"]) {
      expect(modules).not.toContain(devOnly);
    }
    const { stdout } = await run(
      process.execPath,
      [
        "-e",
        "const D = require('better-sqlite3'); console.log(new D(':memory:').pragma('journal_mode', { simple: true }))",
      ],
      { cwd: dir },
    );
    expect(stdout.trim()).toBe("memory");
  });

  it("emulator: one bundled file, no TypeScript and no node_modules at run time", () => {
    const dir = mounts.emulator!["/emulator"]!;
    const shipped = files(dir);
    expect(shipped.sort()).toEqual(["dist/cli.js", "dist/cli.js.map", "package.json"]);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type).toBe("module");
    expect(readFileSync(join(dir, "dist/cli.js"), "utf8")).not.toMatch(/from "tsx"|"tsx\//);
  });

  it("ships React's production build (no development-only warnings in the SPA)", () => {
    const assets = join(mounts.app!["/app"]!, "public/assets");
    const scripts = readdirSync(assets).filter((file) => file.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) {
      expect(readFileSync(join(assets, file), "utf8"), file).not.toContain(
        "Each child in a list should have a unique",
      );
    }
  });

  it("answers /healthz, /readyz and serves the SPA", async () => {
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    await waitFor(`${origin}/readyz`, app, 10_000);
    const index = await fetch(`${origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/text\/html/);
    expect(index.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await index.text()).toContain('<div id="root">');
  });

  let browser: HttpBrowser;

  it("signs a user in against the emulator image and shows their Graph profile", async () => {
    browser = new HttpBrowser(origin, user.userPrincipalName);
    expect(await browser.signIn("/auth/login?returnTo=/profile")).toBe(`${origin}/profile`);
    const session = await browser.fetch("/auth/session");
    expect(await session.json()).toMatchObject({
      authenticated: true,
      user: { oid: user.oid, username: user.userPrincipalName },
    });
    const me = await browser.fetch("/api/me", { headers: { "x-csrf": "1" } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: user.oid, displayName: user.displayName });
  });

  it("calls the Tasks API image through the app, and the task survives its restart", async () => {
    const api = (path: string, init: RequestInit = {}) =>
      browser.fetch(`/api/tasks${path}`, {
        ...init,
        headers: { "x-csrf": "1", ...(init.headers as Record<string, string>) },
      });
    // The first call needs the user's consent to the Tasks API's scope (incremental consent).
    const first = await api("/tasks");
    expect(first.status).toBe(401);
    const challenge = (await first.json()) as { code: string; loginUrl: string };
    expect(challenge.code).toBe("consent_required");
    await browser.signIn(challenge.loginUrl);

    const title = `layout test ${randomBytes(4).toString("hex")}`;
    const created = await api("/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });
    expect(created.status).toBe(201);

    // The database is in the image's data folder (the compose volume), and outlives the process.
    expect(await stop(tasksApi)).toBe(0);
    expect(readdirSync(mounts["tasks-api"]!["/data"]!)).toContain("tasks.db");
    tasksApi = startImage("tasks-api", tasksApiEnv);
    await waitFor(`http://127.0.0.1:${tasksApiEnv.TASKS_API_PORT}/readyz`, tasksApi);
    const listed = await api("/tasks");
    expect(listed.status, await listed.clone().text()).toBe(200);
    expect(JSON.stringify(await listed.json())).toContain(title);
  });

  it("stops each image cleanly on SIGTERM", async () => {
    for (const container of [app, tasksApi, containers[0]!]) {
      expect(await stop(container)).toBe(0);
    }
  });
});
