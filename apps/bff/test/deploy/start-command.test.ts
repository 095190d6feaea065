import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port.ts";
import { HttpBrowser } from "./http-browser.ts";
import { readRepoFile, repoRoot } from "./repo-files.ts";

// The README's production start, `cp .env.example .env`, fill it, `pnpm build && pnpm start`,
// run as written: in a copy of the repository's start files in a temp folder (the real .env
// is the developer's), with the bundle and the SPA that `pnpm build` made linked in, and the
// .env made from .env.example with values filled in here. Nothing from this process's
// environment leaks in (vitest's NODE_EXTRA_CA_CERTS would hide the very mistake tested).

const clientId = "00000000-0000-0000-0000-0000005ea7ed";
const clientSecret = "dev-only-start-test-secret";
const checkout = mkdtempSync(join(tmpdir(), "entra-bff-start-"));
const cleanEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? checkout };

let emulator: Emulator;
let port: number;
const started: ChildProcess[] = [];

/** What `pnpm start` needs of a checkout, into `dir`: the built output is linked, not copied. */
function copyStartFiles(dir: string): void {
  for (const file of ["package.json", "pnpm-workspace.yaml", "apps/bff/package.json"]) {
    cpSync(join(repoRoot, file), join(dir, file), { recursive: true });
  }
  for (const folder of ["scripts", "config"]) {
    cpSync(join(repoRoot, folder), join(dir, folder), { recursive: true });
  }
  mkdirSync(join(dir, "apps/web"), { recursive: true });
  symlinkSync(join(repoRoot, "apps/bff/dist"), join(dir, "apps/bff/dist"));
  symlinkSync(join(repoRoot, "apps/web/dist"), join(dir, "apps/web/dist"));
}

/** `.env.example` with `values` filled into its `NAME=` lines; every name must be one of them. */
function filledEnvExample(values: Record<string, string>): string {
  let text = readRepoFile(".env.example");
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^${name}=.*$`, "m");
    expect(text, `.env.example has no ${name}= line`).toMatch(line);
    text = text.replace(line, `${name}=${value}`);
  }
  return text;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runIn(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Run {
  const child = spawn(command, args, {
    cwd,
    env: { ...cleanEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a failed test still ends pnpm, the launcher and the server.
    detached: true,
  });
  started.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, output: () => output, exited };
}

async function waitForOk(url: string, run: Run, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {}
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${url} not ready; output:\n${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const built = ["apps/bff/dist/server.js", "apps/web/dist/index.html"];
  const missing = built.filter((file) => !existsSync(join(repoRoot, file)));
  if (missing.length > 0) {
    throw new Error(`${missing.join(" and ")} missing: run \`pnpm build\` first.`);
  }
  port = await freePort();
  emulator = await createEmulator({
    port: 0,
    clients: [{ clientId, clientSecret, redirectUris: [`http://localhost:${port}/auth/callback`] }],
  });

  copyStartFiles(checkout);
  // Where `pnpm emulator` keeps its CA, named relative to the repository root as a user would.
  mkdirSync(join(checkout, ".dev-certs"));
  cpSync(emulator.caFile, join(checkout, ".dev-certs/ca.pem"));

  writeFileSync(
    join(checkout, ".env"),
    filledEnvExample({
      ENTRA_AUTHORITY: emulator.authority,
      ENTRA_CLIENT_ID: clientId,
      ENTRA_CLIENT_SECRET: clientSecret,
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      PUBLIC_ORIGIN: `http://localhost:${port}`,
      SESSION_KEYS: randomBytes(32).toString("base64"),
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_EXTRA_CA_CERTS: ".dev-certs/ca.pem",
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // The group is gone.
    }
  }
  await emulator?.close();
  rmSync(checkout, { recursive: true, force: true });
});

describe("pnpm start", { timeout: 60_000 }, () => {
  it("reads .env, trusts its relative CA, serves the built SPA and signs in; SIGTERM exits 0", async () => {
    const server = runIn(checkout, "pnpm", ["start"]);
    const origin = `http://localhost:${port}`;
    await waitForOk(`${origin}/readyz`, server);
    expect(server.output()).toContain("Loaded settings from");

    const index = await fetch(`${origin}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const browser = new HttpBrowser(origin, emulator.users[0]!.userPrincipalName);
    expect(await browser.signIn("/auth/login?returnTo=/")).toBe(`${origin}/`);
    const me = await browser.fetch("/api/me", { headers: { "x-csrf": "1" } });
    expect(me.status).toBe(200);

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toMatch(/ERR_PNPM|ELIFECYCLE/);
    expect(server.output()).toContain('"msg":"shutting down"');
  });

  it("works the same from apps/bff, and the real environment wins over .env", async () => {
    const otherPort = await freePort();
    // The README's obvious value: relative, and meant from the repository root.
    const server = runIn(join(checkout, "apps/bff"), "pnpm", ["start"], {
      PORT: String(otherPort),
      STATIC_DIR: "apps/web/dist",
    });
    const ready = await waitForOk(`http://127.0.0.1:${otherPort}/readyz`, server);
    expect(await ready.json()).toMatchObject({ status: "ok" });
    const index = await fetch(`http://127.0.0.1:${otherPort}/`);
    expect(await index.text()).toContain('<div id="root">');
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toMatch(/ERR_PNPM|ELIFECYCLE/);
  });

  it("stops before starting when NODE_EXTRA_CA_CERTS names no file, saying which", async () => {
    const run = runIn(checkout, "pnpm", ["start"], {
      NODE_EXTRA_CA_CERTS: ".dev-certs/missing.pem",
    });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain(
      `NODE_EXTRA_CA_CERTS is ".dev-certs/missing.pem", but ${join(checkout, ".dev-certs/missing.pem")} cannot be read (ENOENT)`,
    );
  });

  it("says to build first when there is no bundle", async () => {
    const bare = mkdtempSync(join(tmpdir(), "entra-bff-unbuilt-"));
    try {
      cpSync(join(checkout, "scripts"), join(bare, "scripts"), { recursive: true });
      const run = runIn(bare, process.execPath, ["scripts/start.mjs"]);
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(
        "apps/bff/dist/server.js does not exist: run `pnpm build` first.",
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe("the bundle started directly (node dist/server.js)", { timeout: 60_000 }, () => {
  const settings = () =>
    Object.fromEntries(
      readFileSync(join(checkout, ".env"), "utf8")
        .split("\n")
        .filter((line) => /^[A-Z0-9_]+=./.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    ) as Record<string, string>;

  it("refuses to start when Node could not load NODE_EXTRA_CA_CERTS (relative to another folder)", async () => {
    // Relative to the repository root, but this process runs in apps/bff: Node skips the file.
    const run = runIn(join(checkout, "apps/bff"), process.execPath, ["dist/server.js"], {
      ...settings(),
      PORT: String(await freePort()),
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("Invalid configuration:");
    expect(run.output()).toContain(
      `NODE_EXTRA_CA_CERTS is ".dev-certs/ca.pem", but ${join(checkout, "apps/bff/.dev-certs/ca.pem")} (relative to the working directory) cannot be read (ENOENT)`,
    );
  });

  it("without the CA, stays unready and says why in /readyz", async () => {
    const { NODE_EXTRA_CA_CERTS: _unset, ...withoutCa } = settings();
    const otherPort = await freePort();
    const run = runIn(checkout, process.execPath, ["apps/bff/dist/server.js"], {
      ...withoutCa,
      PORT: String(otherPort),
    });
    await waitForOk(`http://127.0.0.1:${otherPort}/healthz`, run);
    let body: { status?: string; reason?: string } = {};
    const deadline = Date.now() + 10_000;
    while (!body.reason?.includes("certificate") && Date.now() < deadline) {
      body = (await (await fetch(`http://127.0.0.1:${otherPort}/readyz`)).json()) as typeof body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body.status).toBe("unavailable");
    // OpenSSL's words depend on the chain the server sends ("unable to verify the first
    // certificate", "self-signed certificate in certificate chain"); the hint does not.
    expect(body.reason).toMatch(/certificate/);
    expect(body.reason).toContain("set NODE_EXTRA_CA_CERTS to that CA file");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
});

describe("pnpm emulator", { timeout: 60_000 }, () => {
  it("prints every setting a BFF needs: pasted into .env, `pnpm start` signs in with them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "entra-bff-emulator-env-"));
    const [emulatorPort, bffPort] = [await freePort(), await freePort()];
    const emulatorRun = spawn("pnpm", ["emulator"], {
      cwd: repoRoot,
      detached: true,
      env: {
        ...cleanEnv,
        EMULATOR_PORT: String(emulatorPort),
        EMULATOR_CERT_DIR: join(dir, "certs"),
        EMULATOR_REDIRECT_URIS: `http://localhost:${bffPort}/auth/callback`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(emulatorRun);
    let printed = "";
    emulatorRun.stdout?.on("data", (chunk) => {
      printed += chunk;
    });
    emulatorRun.stderr?.on("data", (chunk) => {
      printed += chunk;
    });
    const emulatorExited = new Promise<number | null>((resolve) =>
      emulatorRun.once("exit", resolve),
    );
    try {
      const deadline = Date.now() + 30_000;
      while (!/^ {4}NODE_EXTRA_CA_CERTS=/m.test(printed)) {
        if (emulatorRun.exitCode !== null || Date.now() > deadline) {
          throw new Error(`pnpm emulator did not print its settings:\n${printed}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const settings = [...printed.matchAll(/^ {4}([A-Z_]+)=(.+)$/gm)].map(
        (m) => `${m[1]}=${m[2]}`,
      );
      expect(settings.map((line) => line.split("=")[0])).toEqual([
        "ENTRA_AUTHORITY",
        "ENTRA_CLIENT_ID",
        "ENTRA_CLIENT_SECRET",
        "GRAPH_BASE_URL",
        "PUBLIC_ORIGIN",
        "SESSION_KEYS",
        "NODE_EXTRA_CA_CERTS",
      ]);
      expect(settings).toContain("ENTRA_CLIENT_SECRET=dev-only-emulator-secret");
      expect(settings).toContain(`PUBLIC_ORIGIN=http://localhost:${bffPort}`);

      copyStartFiles(join(dir, "checkout"));
      writeFileSync(
        join(dir, "checkout/.env"),
        [...settings, `PORT=${bffPort}`, "HOST=127.0.0.1", ""].join("\n"),
      );
      const server = runIn(join(dir, "checkout"), "pnpm", ["start"]);
      const origin = `http://localhost:${bffPort}`;
      await waitForOk(`${origin}/readyz`, server);
      const browser = new HttpBrowser(origin, "AdeleV@contoso.example");
      await browser.signIn();
      expect((await browser.fetch("/api/me", { headers: { "x-csrf": "1" } })).status).toBe(200);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);

      // Ctrl-C on `pnpm emulator`: the whole group gets SIGINT, and pnpm passes it on too.
      process.kill(-emulatorRun.pid!, "SIGINT");
      expect(await emulatorExited).toBe(0);
      expect(printed).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    } finally {
      if (emulatorRun.exitCode === null) process.kill(-emulatorRun.pid!, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
