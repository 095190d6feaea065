// GET /healthz (the process runs) and GET /readyz (it can sign people in: IdP metadata loaded).
import { type HealthResponse, HealthResponseSchema, paths } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteOptions } from "../context.ts";

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
    async (_request, reply): Promise<HealthResponse> => {
      if (context.idp.loaded) return { status: "ok" };
      reply.code(503);
      return {
        status: "unavailable",
        reason: `identity provider metadata not loaded: ${context.idp.lastError}`,
      };
    },
  );
};
