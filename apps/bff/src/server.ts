// The only place that reads process.env: loads the configuration, listens, and shuts down
// gracefully on SIGTERM/SIGINT (in-flight requests finish; new connections are refused).
import { shutDownOnSignals } from "@entra-bff/service-kit";
import { buildApp } from "./app.ts";
import { extraCaCertsProblem } from "./ca-trust.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { listenMetrics } from "./metrics-server.ts";

/** Every problem at once: the settings', and whether Node could load NODE_EXTRA_CA_CERTS. */
function startupConfig(): Config {
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const caProblem = extraCaCertsProblem(process.env.NODE_EXTRA_CA_CERTS, process.cwd());
  if (caProblem) problems.push(caProblem);
  if (config === undefined || problems.length > 0) {
    process.stderr.write(`${new ConfigError(problems).message}\n`);
    process.exit(1);
  }
  return config;
}

const config = startupConfig();
const app = await buildApp(config);
let metricsServer: Awaited<ReturnType<typeof listenMetrics>>;

// Both listeners close (in-flight requests finish) before the process exits.
shutDownOnSignals(app.log, () => Promise.all([app.close(), metricsServer?.close()]));

try {
  await app.listen({ port: config.port, host: config.host });
  metricsServer = await listenMetrics(config, app.metrics, app.log);
} catch (error) {
  app.log.fatal({ err: error }, "could not listen");
  process.exit(1);
}
