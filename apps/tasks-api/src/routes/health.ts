// GET /healthz (the process runs) and GET /readyz (it can serve: issuer metadata and signing
// keys loaded, database answering).
import { type HealthResponse, HealthResponseSchema, tasksApiPaths } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteOptions } from "../context.ts";

export const healthRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const schema = { response: { 200: HealthResponseSchema, 503: HealthResponseSchema } };

  app.get(
    tasksApiPaths.healthz,
    { schema, logLevel: "warn" },
    async (): Promise<HealthResponse> => ({ status: "ok" }),
  );

  app.get(
    tasksApiPaths.readyz,
    { schema, logLevel: "warn" },
    async (_request, reply): Promise<HealthResponse> => {
      const reason = notReady(context);
      if (reason === undefined) return { status: "ok" };
      reply.code(503);
      return { status: "unavailable", reason };
    },
  );
};

function notReady(context: RouteOptions["context"]): string | undefined {
  if (!context.authority.loaded) {
    return `token issuer metadata and keys not loaded: ${context.authority.lastError}`;
  }
  try {
    context.db.prepare("SELECT 1").get();
  } catch (error) {
    return `database not answering: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}
