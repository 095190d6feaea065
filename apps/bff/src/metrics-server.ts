// The metrics listener: its own port so /metrics is never reachable through the public
// origin's proxy. Started by server.ts only when METRICS_PORT is set.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Config } from "./config.ts";
import type { Metrics } from "./metrics.ts";

/**
 * Listens on `config.host`:`config.metricsPort` and serves `GET /metrics` only.
 * Returns `undefined` (and listens nowhere) when METRICS_PORT is not set.
 */
export async function listenMetrics(
  config: Pick<Config, "host" | "metricsPort">,
  metrics: Metrics,
  log: FastifyBaseLogger,
): Promise<FastifyInstance | undefined> {
  if (config.metricsPort === undefined) return undefined;
  const server = Fastify({ loggerInstance: log.child({ listener: "metrics" }) });
  server.get("/metrics", { logLevel: "warn" }, async (_request, reply) =>
    reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.render()),
  );
  await server.listen({ port: config.metricsPort, host: config.host });
  return server;
}
