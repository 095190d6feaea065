#!/usr/bin/env node
// `pnpm start` (from the root or apps/bff): the production BFF bundle with the repository's
// `.env`, like `pnpm dev`. Node applies NODE_EXTRA_CA_CERTS only when a process starts, so
// `.env` has to be read before the server's process exists: this launcher reads it (the real
// environment wins), runs `node apps/bff/dist/server.js` from the repository root so that
// every relative path in a setting means the same from any folder, and passes signals on.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { applyDotEnv, extraCaCertsFile, repoRoot, SettingsError } from "./lib/repo-env.mjs";

const bundle = join(repoRoot, "apps/bff/dist/server.js");
const builtSpa = join(repoRoot, "apps/web/dist");

try {
  const env = { ...process.env };
  if (applyDotEnv(env)) process.stderr.write(`Loaded settings from ${join(repoRoot, ".env")}\n`);
  const caFile = extraCaCertsFile(env);
  if (caFile) env.NODE_EXTRA_CA_CERTS = caFile;
  // The built SPA by default: without it `/` would be a JSON 404.
  if (!env.STATIC_DIR?.trim() && existsSync(join(builtSpa, "index.html"))) {
    env.STATIC_DIR = builtSpa;
  }
  if (!existsSync(bundle)) {
    throw new SettingsError(`${bundle} does not exist: run \`pnpm build\` first.`);
  }
  run(env);
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

function run(env) {
  const server = spawn(process.execPath, [bundle], { cwd: repoRoot, env, stdio: "inherit" });
  // The server shuts down gracefully on SIGTERM/SIGINT; this process only waits for it. A
  // terminal's Ctrl-C reaches both (one process group): the server ignores the second signal.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.on(signal, () => server.kill(signal));
  }
  server.on("exit", (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}
