// The only place that reads process.env: loads the configuration (the repository's .env
// fills what the environment leaves unset), opens the database, listens, and shuts down
// gracefully on SIGTERM/SIGINT (in-flight requests finish; then the database closes).
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { shutDownOnSignals } from "@entra-bff/service-kit";
import { buildApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

// src/server.ts and dist/server.js are both three levels below the repository root.
const rootDir = fileURLToPath(new URL("../../..", import.meta.url));

function readEnv(): Record<string, string | undefined> {
  const file = join(rootDir, ".env");
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
  return { ...fromFile, ...process.env };
}

const env = readEnv();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(env, { rootDir });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`tasks-api: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp(config);
} catch (error) {
  process.stderr.write(`tasks-api: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

// In-flight requests finish; then the database closes (the app's onClose hook).
shutDownOnSignals(app.log, () => app.close());

// Node reads NODE_EXTRA_CA_CERTS once, at process start, and ignores a relative path: say so
// rather than leave the API unready with "unable to verify the first certificate".
const extraCa = process.env.NODE_EXTRA_CA_CERTS;
if (extraCa === undefined && env.NODE_EXTRA_CA_CERTS) {
  app.log.warn(
    "NODE_EXTRA_CA_CERTS is set in .env only, which is too late for Node: set it in the environment",
  );
} else if (extraCa && !isAbsolute(extraCa)) {
  app.log.warn({ NODE_EXTRA_CA_CERTS: extraCa }, "NODE_EXTRA_CA_CERTS must be an absolute path");
}

try {
  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { authority: config.authority, audience: config.clientId, dataDir: config.dataDir },
    "tasks API listening",
  );
} catch (error) {
  app.log.fatal({ err: error }, "could not listen");
  process.exit(1);
}
