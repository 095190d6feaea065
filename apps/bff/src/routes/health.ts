// GET /healthz (the process runs) and GET /readyz (it can sign people in: IdP metadata loaded;
// its body also shows the client credentials' expiry, which never changes its status).
import { type HealthResponse, HealthResponseSchema, paths } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteOptions } from "../context.ts";
import { clientCredentials } from "../entra-client.ts";

export const healthRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const schema = { response: { 200: HealthResponseSchema, 503: HealthResponseSchema } };

  app.get(
    paths.healthz,
    { schema, logLevel: "warn" },
    async (): Promise<HealthResponse> => ({ status: "ok" }),
  );

  app.get(
    paths.readyz,
    { schema, logLevel: "warn" },
    async (request, reply): Promise<HealthResponse> => {
      const credentials = clientCredentials(context.config);
      // Probed every few seconds: a good moment to warn (at most daily) of an expiry.
      credentials.checkExpiry(context.now(), request.log);
      const report = credentials.report(context.now());
      if (context.idp.loaded) return { status: "ok", credentials: report };
      reply.code(503);
      return {
        status: "unavailable",
        reason: `identity provider metadata not loaded: ${context.idp.lastError}`,
        credentials: report,
      };
    },
  );
};
