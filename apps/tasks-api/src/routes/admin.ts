// GET /admin/summary: counts for the caller's tenant, for holders of the Tasks.Admin app role.
import {
  ApiErrorSchema,
  type TasksAdminSummary,
  TasksAdminSummarySchema,
  tasksApi,
  tasksApiPaths,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { callerOf, requireRole } from "../auth/authenticate.ts";
import type { RouteOptions } from "../context.ts";

export const adminRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  app.get(
    tasksApiPaths.adminSummary,
    {
      preHandler: requireRole(tasksApi.adminRole),
      schema: {
        response: { 200: TasksAdminSummarySchema, "4xx": ApiErrorSchema, "5xx": ApiErrorSchema },
      },
    },
    async (request): Promise<TasksAdminSummary> => {
      // The caller's own tenant only: an admin of one organization sees nothing of another.
      const { tenantId } = callerOf(request);
      return { tenantId, ...context.store.summary(tenantId) };
    },
  );
};
