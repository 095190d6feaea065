// The only place that reads process.env: loads the configuration, listens, and shuts down
// gracefully on SIGTERM/SIGINT (in-flight requests finish; new connections are refused).
import { buildApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { listenMetrics } from "./metrics-server.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const app = await buildApp(config);
let metricsServer: Awaited<ReturnType<typeof listenMetrics>>;

let closing = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    // A second signal, or a request that never ends, must not keep the process forever.
    const deadline = setTimeout(() => {
      app.log.error("shutdown took longer than 25 s; exiting");
      process.exit(1);
    }, 25_000);
    deadline.unref();
    Promise.all([app.close(), metricsServer?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ port: config.port, host: config.host });
  metricsServer = await listenMetrics(config, app.metrics, app.log);
} catch (error) {
  app.log.fatal({ err: error }, "could not listen");
  process.exit(1);
}
