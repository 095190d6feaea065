#!/usr/bin/env node
// `pnpm dev`: the whole app on one origin (http://localhost:5173). Starts the local Entra ID
// emulator unless ENTRA_* settings are present, the BFF in watch mode, and Vite with its
// /auth and /api proxy; prefixes their output; stops them all together.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const webOrigin = "http://localhost:5173";
const webPort = 5173;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const tags = {
  dev: paint("1;37", "[dev]     "),
  emulator: paint("35", "[emulator]"),
  bff: paint("36", "[bff]     "),
  web: paint("32", "[web]     "),
};

class DevError extends Error {}

/** Children by name; each is its own process group so wrappers (pnpm, tsx watch) die too. */
const children = new Map();
let stopping = false;

main().catch(async (error) => {
  if (error instanceof DevError) log("dev", paint("31", error.message));
  else log("dev", paint("31", error?.stack ?? String(error)));
  await stopAll(1);
});

async function main() {
  loadDotEnv();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      log("dev", `${signal}: stopping…`);
      void stopAll(signal === "SIGINT" ? 130 : 0);
    });
  }

  const entra = entraSettings();
  const bffPort = Number(process.env.BFF_PORT || process.env.PORT || 3000);
  const emulatorPort = Number(process.env.EMULATOR_PORT || 8443);
  await assertPortsFree([
    {
      port: webPort,
      what: "the Vite dev server (http://localhost:5173, fixed: it is the redirect URI's origin)",
    },
    { port: bffPort, what: "the BFF", setting: "BFF_PORT" },
    ...(entra
      ? []
      : [{ port: emulatorPort, what: "the Entra ID emulator", setting: "EMULATOR_PORT" }]),
  ]);

  const bffEnv = {
    PUBLIC_ORIGIN: webOrigin,
    PORT: String(bffPort),
    HOST: "127.0.0.1",
    SESSION_KEYS: sessionKeys(),
    LOG_LEVEL: process.env.LOG_LEVEL || "info",
    // Vite serves the SPA in development.
    STATIC_DIR: "",
  };
  let users = [];
  let emulator;

  if (entra) {
    log("dev", "ENTRA_* settings found: signing in with Microsoft Entra ID, no emulator.");
    Object.assign(bffEnv, entra);
  } else {
    log("dev", "No ENTRA_* settings: starting the local Entra ID emulator (offline, dev-only).");
    emulator = await startEmulator(emulatorPort, webOrigin);
    users = await emulatorTestUsers();
    Object.assign(bffEnv, {
      ENTRA_AUTHORITY: emulator.authority,
      ENTRA_CLIENT_ID: process.env.EMULATOR_CLIENT_ID || "00000000-0000-0000-0000-0000000b0ff1",
      ENTRA_CLIENT_SECRET: process.env.EMULATOR_CLIENT_SECRET || "dev-only-emulator-secret",
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      // Scopes the emulator knows, so incremental consent can be tried out in development.
      INCREMENTAL_SCOPES:
        process.env.INCREMENTAL_SCOPES || "User.ReadBasic.All Calendars.Read Mail.Read",
      // The emulator's https side uses a generated dev CA; only these child processes trust it.
      NODE_EXTRA_CA_CERTS: emulator.caFile,
    });
  }

  start("bff", ["--filter", "@entra-bff/bff", "run", "dev"], bffEnv);
  await waitFor(`http://127.0.0.1:${bffPort}/healthz`, "bff", "the BFF", 90_000);

  start("web", ["--filter", "@entra-bff/web", "run", "dev"], { BFF_PORT: String(bffPort) });
  await waitFor(`${webOrigin}/`, "web", "Vite", 60_000);

  banner({ entra: Boolean(entra), users, emulator, bffPort });
}

/** Reads a root `.env` the way the BFF's docs describe; real environment variables win. */
function loadDotEnv() {
  const file = join(repo, ".env");
  if (!existsSync(file)) return;
  if (typeof process.loadEnvFile !== "function") {
    throw new DevError("Reading .env needs Node 20.12 or newer (process.loadEnvFile).");
  }
  process.loadEnvFile(file);
  log("dev", "Loaded settings from .env");
}

/** All three ENTRA_* settings, none (emulator), or a clear error naming the missing ones. */
function entraSettings() {
  const names = ["ENTRA_AUTHORITY", "ENTRA_CLIENT_ID", "ENTRA_CLIENT_SECRET"];
  const set = names.filter((name) => process.env[name]?.trim());
  if (set.length === 0) return undefined;
  if (set.length < names.length) {
    const missing = names.filter((name) => !set.includes(name));
    throw new DevError(
      `${set.join(", ")} ${set.length === 1 ? "is" : "are"} set but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not. ` +
        "Set all three to use Microsoft Entra ID, or none to use the local emulator.",
    );
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name].trim()]));
}

/** SESSION_KEYS from the environment, else a fresh key: dev sessions end when `pnpm dev` does. */
function sessionKeys() {
  const configured = process.env.SESSION_KEYS?.trim();
  if (configured && !configured.includes("<")) return configured;
  return randomBytes(32).toString("base64");
}

async function startEmulator(port, webOrigin) {
  start("emulator", ["--filter", "@entra-bff/entra-emulator", "run", "start"], {
    EMULATOR_PORT: String(port),
    // Signing out at the emulator ends the dev session too, as Entra's front-channel logout does.
    EMULATOR_FRONTCHANNEL_LOGOUT_URI: `${webOrigin}/auth/frontchannel-logout`,
  });
  // The emulator answers plain http on its port too (it sniffs TLS), so no CA is needed here.
  const browserUrl = `http://localhost:${port}`;
  const discovery = await waitFor(
    `${browserUrl}/common/v2.0/.well-known/openid-configuration`,
    "emulator",
    "the emulator",
    60_000,
  );
  const metadata = await discovery.json();
  const tenant = process.env.EMULATOR_TENANT_ID || "aaaabbbb-0000-cccc-1111-dddd2222eeee";
  const backchannel = new URL(metadata.token_endpoint).origin;
  const caFile = join(process.env.EMULATOR_CERT_DIR || join(repo, ".dev-certs"), "ca.pem");
  if (!existsSync(caFile)) {
    throw new DevError(`The emulator started but its dev CA ${caFile} does not exist.`);
  }
  return {
    browserUrl,
    authority: `${backchannel}/${tenant}`,
    graphBaseUrl: `${backchannel}/v1.0`,
    caFile,
  };
}

/** The emulator's default test users, for the banner; the sign-in page lists them anyway. */
async function emulatorTestUsers() {
  try {
    const emulatorDir = join(repo, "packages/entra-emulator");
    const api = pathToFileURL(join(emulatorDir, "node_modules/tsx/dist/esm/api/index.mjs"));
    const { tsImport } = await import(api.href);
    const defaults = await tsImport("./src/defaults.ts", pathToFileURL(`${emulatorDir}/`).href);
    return defaults.defaultUsers.map((user) => `${user.displayName} <${user.userPrincipalName}>`);
  } catch {
    return [];
  }
}

function start(name, pnpmArgs, env) {
  const child = spawn("pnpm", ["--silent", ...pnpmArgs], {
    cwd: repo,
    env: { ...process.env, ...env, ...(color ? { FORCE_COLOR: "1" } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.set(name, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => log(name, line));
  }
  child.on("exit", (code, signal) => {
    children.delete(name);
    if (stopping) return;
    log(
      "dev",
      paint("31", `${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`),
    );
    void stopAll(code || 1);
  });
  child.on("error", (error) => {
    log("dev", paint("31", `Could not start ${name}: ${error.message}`));
    void stopAll(1);
  });
  return child;
}

async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  const running = [...children.values()];
  for (const child of running) signalGroup(child, "SIGTERM");
  const deadline = Date.now() + 5_000;
  while (children.size > 0 && Date.now() < deadline) await sleep(100);
  for (const child of children.values()) signalGroup(child, "SIGKILL");
  process.exit(exitCode);
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Polls `url` until it answers 2xx; fails early if the child that should serve it exits. */
async function waitFor(url, name, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError = "no answer";
  while (Date.now() < deadline) {
    if (stopping || !children.has(name)) {
      throw new DevError(`${what} exited before it was ready; see its output above.`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return response;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error.cause?.code ?? error.message;
    }
    await sleep(250);
  }
  throw new DevError(`${what} did not answer ${url} within ${timeoutMs / 1000} s (${lastError}).`);
}

async function assertPortsFree(ports) {
  const taken = [];
  for (const entry of ports) {
    if (!(await portFree(entry.port, "127.0.0.1")) || !(await portFree(entry.port, "::1"))) {
      taken.push(entry);
    }
  }
  if (taken.length === 0) return;
  const lines = taken.map(
    ({ port, what, setting }) =>
      `  - port ${port} for ${what} is already in use${setting ? ` (choose another with ${setting}=<port>)` : ""}`,
  );
  throw new DevError(
    `Cannot start:\n${lines.join("\n")}\nIs another \`pnpm dev\` running? Find the process with \`lsof -i :<port>\` or \`ss -ltnp\`.`,
  );
}

function portFree(port, host) {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", (error) => {
      // No IPv6 on this machine: nothing can be listening there.
      resolvePort(error.code === "EADDRNOTAVAIL" || error.code === "EAFNOSUPPORT");
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolvePort(true)));
  });
}

function log(name, line) {
  process.stdout.write(`${tags[name] ?? `[${name}]`} ${line}\n`);
}

function banner({ entra, users, emulator, bffPort }) {
  const rule = "─".repeat(64);
  const lines = [
    "",
    rule,
    `  ${paint("1", "entra-bff is running.")} Open ${paint("1;4", `${webOrigin}`)}`,
    "",
  ];
  if (entra) {
    lines.push(
      "  Signing in with Microsoft Entra ID. The app registration needs the redirect URI",
      `  ${webOrigin}/auth/callback (platform: Web).`,
    );
  } else {
    lines.push("  Signing in with the local Entra ID emulator: pick a test user, no password.");
    for (const user of users) lines.push(`    • ${user}`);
    lines.push(
      `  Emulator: ${emulator.browserUrl} (sign-in pages), ${emulator.authority} (authority)`,
    );
  }
  lines.push(
    `  BFF: http://127.0.0.1:${bffPort} (proxied by Vite under /auth, /api, /healthz, /readyz)`,
    "  Ctrl-C stops everything.",
    rule,
    "",
  );
  for (const line of lines) process.stdout.write(`${line}\n`);
}
