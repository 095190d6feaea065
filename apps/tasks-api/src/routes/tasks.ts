// The caller's tasks: list, create, read, change and delete. Every query is scoped to the
// token's tenant + object id; another user's task id answers 404 like one that never existed.
import {
  ApiErrorSchema,
  apiErrorCodes,
  NewTaskSchema,
  type Task,
  TaskIdSchema,
  type TaskList,
  TaskListSchema,
  TaskPatchSchema,
  TaskSchema,
  tasksApiPaths,
} from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import { callerOf } from "../auth/authenticate.ts";
import type { RouteOptions } from "../context.ts";
import { TasksApiError, taskNotFound } from "../errors.ts";
import { etagOf, type IfMatch, parseIfMatch, staleVersion } from "../etag.ts";
import {
  type ChangeResult,
  type ExpectedVersion,
  type Owner,
  type StoredTask,
  TaskLimitError,
  type TaskStore,
} from "../store/task-store.ts";

const errors = { "4xx": ApiErrorSchema, "5xx": ApiErrorSchema };
const TaskParams = Type.Object({ id: TaskIdSchema }, { additionalProperties: false });

export const tasksRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const { store } = context;

  app.get(
    tasksApiPaths.tasks,
    { schema: { response: { 200: TaskListSchema, ...errors } } },
    async (request): Promise<TaskList> => ({ tasks: store.list(ownerOf(request)).map(toTask) }),
  );

  app.post(
    tasksApiPaths.tasks,
    { schema: { body: NewTaskSchema, response: { 201: TaskSchema, ...errors } } },
    async (request, reply): Promise<Task> => {
      let task: StoredTask;
      try {
        task = store.create(
          ownerOf(request),
          { title: request.body.title.trim(), done: request.body.done ?? false },
          context.now(),
        );
      } catch (error) {
        if (!(error instanceof TaskLimitError)) throw error;
        throw new TasksApiError(
          apiErrorCodes.taskLimitReached,
          409,
          `You already have ${error.limit} tasks, the most this app keeps; delete some first.`,
        );
      }
      request.log.info({ taskId: task.id }, "task created");
      reply
        .code(201)
        .header("location", tasksApiPaths.task(task.id))
        .header("etag", etagOf(task.version));
      return toTask(task);
    },
  );

  app.get(
    "/tasks/:id",
    { schema: { params: TaskParams, response: { 200: TaskSchema, 304: Type.Null(), ...errors } } },
    async (request, reply) => {
      const task = store.get(ownerOf(request), request.params.id);
      if (!task) throw taskNotFound(request.params.id);
      const etag = etagOf(task.version);
      reply.header("etag", etag);
      if (noneMatch(request.headers["if-none-match"], etag)) {
        return reply.code(304).send(null);
      }
      return toTask(task);
    },
  );

  app.patch(
    "/tasks/:id",
    {
      schema: {
        params: TaskParams,
        body: TaskPatchSchema,
        response: { 200: TaskSchema, ...errors },
      },
    },
    async (request, reply): Promise<Task> => {
      const owner = ownerOf(request);
      const { id } = request.params;
      const ifMatch = parseIfMatch(request.headers["if-match"]);
      const { title, done } = request.body;
      const result = store.update(
        owner,
        id,
        {
          ...(title === undefined ? {} : { title: title.trim() }),
          ...(done === undefined ? {} : { done }),
        },
        expectedVersion(store, owner, id, ifMatch),
        context.now(),
      );
      const task = settle(result, id);
      request.log.info({ taskId: id, version: task.version }, "task changed");
      reply.header("etag", etagOf(task.version));
      return toTask(task);
    },
  );

  app.delete(
    "/tasks/:id",
    { schema: { params: TaskParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const owner = ownerOf(request);
      const { id } = request.params;
      const ifMatch = parseIfMatch(request.headers["if-match"]);
      settle(store.delete(owner, id, expectedVersion(store, owner, id, ifMatch)), id);
      request.log.info({ taskId: id }, "task deleted");
      return reply.code(204).send(null);
    },
  );
};

function ownerOf(request: FastifyRequest): Owner {
  const { tenantId, oid } = callerOf(request);
  return { tenantId, oid };
}

export function toTask(task: StoredTask): Task {
  return {
    id: task.id,
    title: task.title,
    done: task.done,
    createdAt: new Date(task.createdAt).toISOString(),
    updatedAt: new Date(task.updatedAt).toISOString(),
    version: task.version,
    etag: etagOf(task.version),
  };
}

/**
 * The version the write must find. Several tags in `If-Match` are rare: match them against
 * the current version here, and let the store's compare-and-set still guard the write.
 */
function expectedVersion(
  store: TaskStore,
  owner: Owner,
  id: string,
  ifMatch: IfMatch,
): ExpectedVersion {
  if (ifMatch.any) return undefined;
  if (ifMatch.versions.length === 1) return ifMatch.versions[0];
  const current = store.get(owner, id)?.version;
  // 0 never matches (versions start at 1): the store answers stale or not found.
  return current !== undefined && ifMatch.versions.includes(current) ? current : 0;
}

/** Not found before stale: RFC 9110 13.2.1 has preconditions ignored when the target is absent. */
function settle<T>(result: ChangeResult<T>, id: string): T {
  if (result.outcome === "not_found") throw taskNotFound(id);
  if (result.outcome === "stale") throw staleVersion(result.current.version);
  return result.value;
}

/** `If-None-Match` uses the weak comparison (RFC 9110 13.1.2). */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
