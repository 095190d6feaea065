// Watches the client credentials: which one is in use (logged at start), their expiry
// (logged from 30 days before, at start, hourly and on /readyz) and their metrics.
import type { FastifyPluginAsync } from "fastify";
import type { RouteOptions } from "../context.ts";
import { clientCredentials } from "../entra-client.ts";

const checkEveryMs = 3600_000;

export const credentialMonitor: FastifyPluginAsync<RouteOptions> = async (app, { context }) => {
  const credentials = clientCredentials(context.config);
  context.metrics.observeCredentials(credentials);
  let timer: NodeJS.Timeout | undefined;
  app.addHook("onReady", async () => {
    app.log.info({ credentials: credentials.describe() }, `client credential: ${credentials.kind}`);
    credentials.checkExpiry(context.now(), app.log);
    // An expiry is weeks away: an idle server must still say so, but never stay alive for it.
    timer = setInterval(() => credentials.checkExpiry(context.now(), app.log), checkEveryMs);
    timer.unref();
  });
  app.addHook("onClose", async () => clearInterval(timer));
};
