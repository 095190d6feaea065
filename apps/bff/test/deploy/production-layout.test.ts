import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createEmulator, type Emulator, signInAs } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port.ts";
import { parseDockerfile, readRepoFile, repoRoot, stageCmd, stageEnv } from "./repo-files.ts";

// Builds the image's file layout with the very script the Dockerfile runs, then starts it
// with the image's own CMD, WORKDIR and ENV (paths under /app mapped into a temp folder) and
// signs in through it against the emulator. This is as close to `docker run` as a machine
// without a Docker engine gets.

const run = promisify(execFile);
const appStage = parseDockerfile(readRepoFile("Dockerfile")).find((s) => s.name === "app")!;
const out = mkdtempSync(join(tmpdir(), "entra-bff-image-"));
const appDir = join(out, "app");
const clientId = "00000000-0000-0000-0000-00000000c0de";
const clientSecret = "dev-only-layout-test-secret";

let emulator: Emulator;
let server: ChildProcess;
let origin: string;
let serverLog = "";

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} not ready; server log:\n${serverLog}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Keeps the cookies a response sets, as a browser would for this one origin. */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=", 2);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") {
        this.#cookies.delete(name);
      } else {
        this.#cookies.set(name, pair.slice(name.length + 1));
      }
    }
  }
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

beforeAll(async () => {
  // The Dockerfile's script, minus its `pnpm build`: `pnpm test` has just built, and a
  // rebuild now would replace the SPA under the browser tests running beside this one.
  const built = ["apps/bff/dist/server.js", "apps/web/dist/index.html"];
  const missing = built.filter((file) => !existsSync(join(repoRoot, file)));
  if (missing.length > 0) {
    throw new Error(`${missing.join(" and ")} missing: run \`pnpm build\` first.`);
  }
  await run("sh", ["scripts/prod-layout.sh", "--skip-build", out], {
    cwd: repoRoot,
    timeout: 300_000,
  });

  const port = await freePort();
  origin = `http://localhost:${port}`;
  emulator = await createEmulator({
    port: 0,
    clients: [{ clientId, clientSecret, redirectUris: [`${origin}/auth/callback`] }],
  });

  // The image's ENV, with its /app paths pointing into the built layout.
  const imageEnv = Object.fromEntries(
    Object.entries(stageEnv(appStage)).map(([key, value]) => [
      key,
      value.replace(/^\/app/, appDir),
    ]),
  );
  const [command = "", ...args] = stageCmd(appStage);
  server = spawn(command, args, {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
      ...imageEnv,
      PORT: String(port),
      HOST: "127.0.0.1",
      ENTRA_AUTHORITY: emulator.authority,
      ENTRA_CLIENT_ID: clientId,
      ENTRA_CLIENT_SECRET: clientSecret,
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      PUBLIC_ORIGIN: origin,
      SESSION_KEYS: Buffer.alloc(32, 7).toString("base64"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk) => {
    serverLog += chunk;
  });
  server.stderr?.on("data", (chunk) => {
    serverLog += chunk;
  });
  await waitFor(`${origin}/healthz`, 20_000);
}, 360_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  await emulator?.close();
  rmSync(out, { recursive: true, force: true });
});

describe("the production layout", () => {
  it("holds the bundle, the built SPA and only production dependencies", () => {
    expect(existsSync(join(appDir, "dist/server.js"))).toBe(true);
    expect(existsSync(join(appDir, "public/index.html"))).toBe(true);
    const modules = readdirSync(join(appDir, "node_modules"));
    for (const devOnly of ["vitest", "esbuild", "typescript", "tsx", "@entra-bff"]) {
      expect(modules).not.toContain(devOnly);
    }
    const top = readdirSync(appDir);
    for (const devFile of ["src", "test", ".env", "tsconfig.json", "build.mjs"]) {
      expect(top).not.toContain(devFile);
    }
    expect(existsSync(join(out, "emulator/src/cli.ts"))).toBe(true);
  });

  it("ships React's production build (no development-only warnings in the SPA)", () => {
    const assets = join(appDir, "public/assets");
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
    await waitFor(`${origin}/readyz`, 10_000);
    const index = await fetch(`${origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/text\/html/);
    expect(index.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await index.text()).toContain('<div id="root">');
  });

  it("signs a user in against the emulator and shows their Graph profile", async () => {
    const jar = new CookieJar();
    const login = await fetch(`${origin}/auth/login?returnTo=/profile`, { redirect: "manual" });
    expect(login.status).toBe(302);
    jar.store(login);
    const user = emulator.users[0]!;
    const { location } = await signInAs(login.headers.get("location")!, user.userPrincipalName);
    expect(location.startsWith(`${origin}/auth/callback?`)).toBe(true);

    const callback = await fetch(location, {
      redirect: "manual",
      headers: { cookie: jar.header() },
    });
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe(`${origin}/profile`);
    jar.store(callback);

    const session = await fetch(`${origin}/auth/session`, { headers: { cookie: jar.header() } });
    expect(await session.json()).toMatchObject({
      authenticated: true,
      user: { oid: user.oid, username: user.userPrincipalName },
    });
    const me = await fetch(`${origin}/api/me`, {
      headers: { cookie: jar.header(), "x-csrf": "1" },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: user.oid, displayName: user.displayName });
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
