#!/usr/bin/env node
import { randomBytes } from "node:crypto";
// `pnpm dev`: the whole app on one origin (http://localhost:5173). Starts the local Entra ID
// emulator unless ENTRA_* settings are present, the Tasks API, the BFF in watch mode and Vite
// with its /auth and /api proxy.
// `pnpm preview` (`--preview`): the production build instead, `pnpm build` then the bundles,
// with the BFF serving the built SPA on http://localhost:3000, against the same emulator
// (`--no-build` reuses the last build).
// Both prefix each server's output, make the servers' JSON logs one short line each, and stop
// everything together on Ctrl-C.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createDevLogFormatter } from "./lib/dev-log.mjs";
import { assertPortsFree, Children, DevError, waitFor } from "./lib/processes.mjs";
import { applyDotEnv, extraCaCertsFile, repoRoot, SettingsError } from "./lib/repo-env.mjs";

const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
const options = parseArguments(process.argv.slice(2));
const mode = options.preview ? "preview" : "dev";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const tags = {
  dev: paint("1;37", "[dev]      "),
  build: paint("1;37", "[build]    "),
  emulator: paint("35", "[emulator] "),
  "tasks-api": paint("33", "[tasks-api]"),
  bff: paint("36", "[bff]      "),
  web: paint("32", "[web]      "),
};
/** The servers that log pino JSON: shown one short line per entry. */
const formatters = {
  bff: createDevLogFormatter({ color }),
  "tasks-api": createDevLogFormatter({ color }),
};

/** Servers whose standard output is hidden until they are ready (their own banners). */
const quietUntilReady = new Set();
// The banner must stay findable: after a burst of output, a one-line reminder follows once the
// terminal has been quiet for a moment.
const reminder = { text: undefined, lines: 0, timer: undefined };
let stopping = false;

const children = new Children({
  onUnexpectedExit(name, code, signal, error) {
    const why = error ? error.message : (signal ?? `exit code ${code}`);
    log("dev", paint("31", `${name} stopped (${why}); stopping the rest.`));
    void stop(1);
  },
});

main().catch((error) => {
  const known = error instanceof DevError || error instanceof SettingsError;
  log("dev", paint("31", known ? error.message : (error?.stack ?? String(error))));
  void stop(1);
});

async function main() {
  if (applyDotEnv()) log("dev", "Loaded settings from .env");
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      // Ctrl-C reaches this process twice: from the terminal, and passed on by pnpm.
      if (stopping) return;
      log("dev", `${signal}: stopping…`);
      // A stop the user asked for is a success: pnpm reports any other code as a failure.
      void stop(0);
    });
  }

  const entra = entraSettings();
  const bffPort = Number(
    (mode === "dev" ? process.env.BFF_PORT : undefined) || process.env.PORT || 3000,
  );
  const webOrigin = mode === "dev" ? "http://localhost:5173" : `http://localhost:${bffPort}`;
  const emulatorPort = Number(process.env.EMULATOR_PORT || 8443);
  const tasksPort = Number(process.env.TASKS_API_PORT || 4000);

  if (options.build) await build();
  const entries = entryPoints();
  await assertPortsFree([
    ...(mode === "dev"
      ? [
          {
            port: 5173,
            what: "the Vite dev server (http://localhost:5173, fixed: it is the redirect URI's origin)",
          },
          { port: bffPort, what: "the BFF", setting: "BFF_PORT" },
        ]
      : [{ port: bffPort, what: "the BFF serving the built SPA", setting: "PORT" }]),
    ...(entra
      ? []
      : [{ port: emulatorPort, what: "the Entra ID emulator", setting: "EMULATOR_PORT" }]),
    ...(entries.tasksApi
      ? [{ port: tasksPort, what: "the Tasks API", setting: "TASKS_API_PORT" }]
      : []),
  ]);

  const logLevel = process.env.LOG_LEVEL || "info";
  const bffEnv = {
    PUBLIC_ORIGIN: webOrigin,
    PORT: String(bffPort),
    HOST: "127.0.0.1",
    SESSION_KEYS: sessionKeys(),
    LOG_LEVEL: logLevel,
    // In development Vite serves the SPA; the preview's BFF serves the build, as in production.
    STATIC_DIR: mode === "dev" ? "" : join(repoRoot, "apps/web/dist"),
    ...(mode === "preview" ? { NODE_ENV: "production" } : {}),
  };
  const apisFile = join(repoRoot, "config/downstream-apis.json");
  if (!process.env.DOWNSTREAM_APIS_FILE && existsSync(apisFile)) {
    bffEnv.DOWNSTREAM_APIS_FILE = apisFile;
  }
  let users = [];
  let emulator;
  let caFile;

  if (entra) {
    log("dev", "ENTRA_* settings found: signing in with Microsoft Entra ID, no emulator.");
    Object.assign(bffEnv, entra);
    caFile = extraCaCertsFile();
  } else {
    log("dev", "No ENTRA_* settings: starting the local Entra ID emulator (offline, dev-only).");
    emulator = await startEmulator(emulatorPort, webOrigin);
    users = await emulatorTestUsers();
    caFile = emulator.caFile;
    Object.assign(bffEnv, {
      ENTRA_AUTHORITY: emulator.authority,
      ENTRA_CLIENT_ID: process.env.EMULATOR_CLIENT_ID || "00000000-0000-0000-0000-0000000b0ff1",
      ENTRA_CLIENT_SECRET: process.env.EMULATOR_CLIENT_SECRET || "dev-only-emulator-secret",
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      // Scopes the emulator knows, so incremental consent can be tried out in development.
      INCREMENTAL_SCOPES:
        process.env.INCREMENTAL_SCOPES || "User.ReadBasic.All Calendars.Read Mail.Read",
    });
  }
  // Node reads it only at start: each child gets the absolute path of the CA to trust.
  if (caFile) bffEnv.NODE_EXTRA_CA_CERTS = caFile;

  let tasksApi;
  if (entries.tasksApi) {
    tasksApi = await startTasksApi(entries.tasksApi, tasksPort, {
      logLevel,
      caFile,
      authority: emulator?.authority,
    });
    if (!process.env.TASKS_API_URL) bffEnv.TASKS_API_URL = tasksApi.url;
  } else {
    log("dev", "apps/tasks-api is not there yet: starting without the Tasks API.");
  }

  start("bff", entries.bff, bffEnv);
  const bffUrl = `http://127.0.0.1:${bffPort}`;
  await waitFor(`${bffUrl}/healthz`, {
    what: "the BFF",
    alive: () => children.has("bff"),
    timeoutMs: 90_000,
  });
  const notReady = await readiness(`${bffUrl}/readyz`);

  if (mode === "dev") {
    start("web", ["pnpm", "--silent", "--filter", "@entra-bff/web", "run", "dev"], {
      BFF_PORT: String(bffPort),
    });
    await waitFor(`${webOrigin}/`, {
      what: "Vite",
      alive: () => children.has("web"),
      timeoutMs: 60_000,
    });
  }

  banner({ entra: Boolean(entra), users, emulator, tasksApi, bffUrl, webOrigin, notReady });
}

function parseArguments(args) {
  const known = new Set(["--preview", "--no-build"]);
  const unknown = args.filter((arg) => !known.has(arg));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown option ${unknown.join(" ")}. Usage: pnpm dev | pnpm preview [--no-build]\n`,
    );
    process.exit(2);
  }
  const preview = args.includes("--preview");
  return { preview, build: preview && !args.includes("--no-build") };
}

/** `pnpm build` for production whatever the caller's NODE_ENV, as the image is built. */
async function build() {
  log("dev", "Building the production bundles (pnpm build; --no-build skips this)…");
  const { exited } = start(
    "build",
    ["pnpm", "build"],
    { NODE_ENV: "production" },
    {
      oneShot: true,
    },
  );
  const { code, signal } = await exited;
  if (code !== 0) throw new DevError(`pnpm build failed (${signal ?? `exit code ${code}`}).`);
}

/**
 * What each server runs: its source in watch mode (as the package's `dev` script does), or
 * its production bundle. All run from the repository root, so that a relative path in a
 * setting (DOWNSTREAM_APIS_FILE, NODE_EXTRA_CA_CERTS, …) means the same as with `pnpm start`.
 */
function entryPoints() {
  const tasksSource = "apps/tasks-api/src/server.ts";
  const tasksBundle = join(repoRoot, "apps/tasks-api/dist/server.js");
  if (mode === "dev") {
    const watch = (pkg, entry) => [
      process.execPath,
      tsxCli,
      "watch",
      "--clear-screen=false",
      "--tsconfig",
      `${pkg}/tsconfig.json`,
      entry,
    ];
    return {
      bff: watch("apps/bff", "apps/bff/src/server.ts"),
      tasksApi: existsSync(join(repoRoot, tasksSource))
        ? watch("apps/tasks-api", tasksSource)
        : undefined,
    };
  }
  const bffBundle = join(repoRoot, "apps/bff/dist/server.js");
  const missing = [bffBundle, join(repoRoot, "apps/web/dist/index.html")].filter(
    (file) => !existsSync(file),
  );
  if (missing.length > 0) {
    throw new DevError(
      `${missing.join(" and ")} missing: run \`pnpm preview\` without --no-build.`,
    );
  }
  return {
    bff: [process.execPath, bffBundle],
    tasksApi: existsSync(tasksBundle) ? [process.execPath, tasksBundle] : undefined,
  };
}

/**
 * ENTRA_AUTHORITY, ENTRA_CLIENT_ID and a client credential (a secret, a certificate, a
 * federated token file or a managed identity), none of them (emulator), or a clear error.
 * The BFF itself insists on exactly one kind of credential.
 */
function entraSettings() {
  const required = ["ENTRA_AUTHORITY", "ENTRA_CLIENT_ID"];
  const credentials = [
    "ENTRA_CLIENT_SECRET",
    "ENTRA_CLIENT_CERTIFICATE",
    "ENTRA_CLIENT_ASSERTION_FILE",
    "ENTRA_MANAGED_IDENTITY",
  ];
  const value = (name) => process.env[name]?.trim();
  const set = [...required, ...credentials].filter(value);
  if (set.length === 0) return undefined;
  const missing = required.filter((name) => !value(name));
  // AKS sets AZURE_FEDERATED_TOKEN_FILE in the pod: it is the credential when no other is set.
  if (!credentials.some(value) && !value("AZURE_FEDERATED_TOKEN_FILE")) {
    missing.push(`a client credential (${credentials.join(", ")})`);
  }
  if (missing.length > 0) {
    throw new DevError(
      `${set.join(", ")} ${set.length === 1 ? "is" : "are"} set but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not. ` +
        "Set ENTRA_AUTHORITY, ENTRA_CLIENT_ID and one client credential to use Microsoft Entra ID, or none of them to use the local emulator.",
    );
  }
  const passed = [
    ...required,
    ...credentials,
    "ENTRA_CLIENT_SECRET_EXPIRES",
    "AZURE_FEDERATED_TOKEN_FILE",
  ];
  return Object.fromEntries(passed.filter(value).map((name) => [name, value(name)]));
}

/** SESSION_KEYS from the environment, else a fresh key: dev sessions end when `pnpm dev` does. */
function sessionKeys() {
  const configured = process.env.SESSION_KEYS?.trim();
  if (configured && !configured.includes("<")) return configured;
  return randomBytes(32).toString("base64");
}

async function startEmulator(port, webOrigin) {
  // Its banner tells how to configure a BFF by hand; here the banner below says what matters.
  quietUntilReady.add("emulator");
  start("emulator", [process.execPath, "--import", "tsx", "packages/entra-emulator/src/cli.ts"], {
    TSX_TSCONFIG_PATH: "packages/entra-emulator/tsconfig.json",
    EMULATOR_PORT: String(port),
    // The preview's origin is not one of the dev registration's redirect URIs.
    ...(mode === "preview" ? { EMULATOR_REDIRECT_URIS: `${webOrigin}/auth/callback` } : {}),
    // Signing out at the emulator ends the session here too, as Entra's front-channel logout does.
    EMULATOR_FRONTCHANNEL_LOGOUT_URI: `${webOrigin}/auth/frontchannel-logout`,
  });
  // The emulator answers plain http on its port too (it sniffs TLS), so no CA is needed here.
  const browserUrl = `http://localhost:${port}`;
  const discovery = await waitFor(`${browserUrl}/common/v2.0/.well-known/openid-configuration`, {
    what: "the emulator",
    alive: () => children.has("emulator"),
    timeoutMs: 60_000,
  });
  quietUntilReady.delete("emulator");
  const metadata = await discovery.json();
  const tenant = process.env.EMULATOR_TENANT_ID || "aaaabbbb-0000-cccc-1111-dddd2222eeee";
  const backchannel = new URL(metadata.token_endpoint).origin;
  const caFile = join(process.env.EMULATOR_CERT_DIR || join(repoRoot, ".dev-certs"), "ca.pem");
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

/** The Tasks API on 127.0.0.1, trusting the emulator, its database under `.data/` (git-ignored). */
async function startTasksApi(command, port, { logLevel, caFile, authority }) {
  const dataDir = process.env.TASKS_DATA_DIR || join(repoRoot, ".data/tasks-api");
  start("tasks-api", command, {
    TASKS_API_PORT: String(port),
    TASKS_API_HOST: "127.0.0.1",
    TASKS_DATA_DIR: dataDir,
    LOG_LEVEL: logLevel,
    ...(authority && !process.env.TASKS_API_AUTHORITY ? { TASKS_API_AUTHORITY: authority } : {}),
    ...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}),
    ...(mode === "preview" ? { NODE_ENV: "production" } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, {
    what: "the Tasks API",
    alive: () => children.has("tasks-api"),
    timeoutMs: 60_000,
  });
  return { url, dataDir };
}

/**
 * Waits a little for /readyz; returns why the BFF is still not ready (for the banner), e.g.
 * an authority whose certificate Node does not trust.
 */
async function readiness(url) {
  let reason = "no answer";
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && children.has("bff")) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return undefined;
      reason = (await response.json().catch(() => ({}))).reason ?? `HTTP ${response.status}`;
    } catch (error) {
      reason = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return reason;
}

/** The emulator's default test users, for the banner; the sign-in page lists them anyway. */
async function emulatorTestUsers() {
  try {
    const emulatorDir = join(repoRoot, "packages/entra-emulator");
    const api = pathToFileURL(join(emulatorDir, "node_modules/tsx/dist/esm/api/index.mjs"));
    const { tsImport } = await import(api.href);
    const defaults = await tsImport("./src/defaults.ts", pathToFileURL(`${emulatorDir}/`).href);
    return defaults.defaultUsers.map((user) => `${user.displayName} <${user.userPrincipalName}>`);
  } catch {
    return [];
  }
}

function start(name, [command, ...args], env, { oneShot = false } = {}) {
  return children.start(name, command, args, {
    cwd: repoRoot,
    env: { ...env, ...(color ? { FORCE_COLOR: "1" } : {}) },
    oneShot,
    onLine: (line, stream) => {
      if (stream === "stdout" && quietUntilReady.has(name)) return;
      const text = formatters[name] ? formatters[name](line) : line;
      if (text === undefined) return;
      for (const part of text.split("\n")) log(name, part);
    },
  });
}

async function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  await children.stopAll();
  process.exit(exitCode);
}

function log(name, line) {
  process.stdout.write(`${tags[name] ?? `[${name}]`} ${line}\n`);
  if (reminder.text === undefined) return;
  reminder.lines += 1;
  clearTimeout(reminder.timer);
  if (reminder.lines < 20) return;
  reminder.timer = setTimeout(() => {
    process.stdout.write(`${reminder.text}\n`);
    reminder.lines = 0;
  }, 3_000);
  reminder.timer.unref();
}

function banner({ entra, users, emulator, tasksApi, bffUrl, webOrigin, notReady }) {
  const rule = "─".repeat(72);
  const what =
    mode === "dev" ? "entra-bff is running." : "entra-bff's production build is running.";
  const lines = ["", rule, `  ${paint("1", what)} Open ${paint("1;4", webOrigin)}`, ""];
  if (entra) {
    lines.push(
      "  Signing in with Microsoft Entra ID. The app registration needs the redirect URI",
      `  ${webOrigin}/auth/callback (platform: Web).`,
    );
  } else {
    lines.push("  Signing in with the local Entra ID emulator: pick a test user, no password.");
    // The directory is large: the sign-in page lists everyone.
    for (const user of users.slice(0, 3)) lines.push(`    • ${user}`);
    if (users.length > 3) lines.push(`    … and ${users.length - 3} more on the sign-in page`);
    lines.push(
      `  Emulator:  ${emulator.browserUrl} (sign-in pages), ${emulator.authority} (authority)`,
    );
  }
  if (tasksApi) lines.push(`  Tasks API: ${tasksApi.url} (database in ${tasksApi.dataDir})`);
  lines.push(
    mode === "dev"
      ? `  BFF:       ${bffUrl} (proxied by Vite under /auth, /api, /healthz, /readyz)`
      : `  BFF:       ${bffUrl}: apps/bff/dist/server.js serving apps/web/dist, as \`pnpm start\` does`,
  );
  if (notReady) {
    lines.push("", paint("31", `  The BFF is not ready yet: ${notReady}`));
  }
  lines.push("  Ctrl-C stops everything.", rule, "");
  for (const line of lines) process.stdout.write(`${line}\n`);
  reminder.text = paint("2", `── entra-bff: ${webOrigin} · Ctrl-C stops everything ──`);
}
