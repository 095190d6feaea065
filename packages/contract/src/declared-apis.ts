import type { GraphUser, GraphUserPage, GraphUserQuery, GraphUsersQuery } from "./graph.ts";
import type { NewTask, Task, TaskList, TaskPatch, TasksAdminSummary } from "./tasks.ts";

/**
 * What the SPA may call on each declared downstream API (`DOWNSTREAM_APIS_FILE`), and the
 * types of each call: `/api/<name><path>` for every `"<METHOD> <path>"` below. The BFF's
 * declaration (`allow`) decides what is reachable; this table is the typed subset the SPA
 * uses, checked against `config/downstream-apis.json` by a test. The run-time part is only
 * how to read each answer; everything else is types.
 */

/** How a 2xx answer is read: JSON, bytes (a photo, read as a `Blob`), or nothing (204). */
export type ResponseRead = "json" | "binary" | "none";

/** The types of one call. Path parameters come from the path itself (`{id}`). */
export interface EndpointShape {
  /** Query parameters, each allowed by the API's `query` list. */
  query?: object;
  /** Extra request headers the API's `requestHeaders` lets through. */
  headers?: object;
  /** The JSON request body. */
  body?: unknown;
  /** `"required"`: the call sends `If-Match` with the resource's ETag (optimistic concurrency). */
  ifMatch?: "required" | "optional";
  /** The JSON answer (with `read: "json"`). */
  response?: unknown;
}

declare const shapeOf: unique symbol;

export interface Endpoint<
  Shape extends EndpointShape = EndpointShape,
  Read extends ResponseRead = ResponseRead,
> {
  readonly read: Read;
  /** Types only: never present at run time. */
  readonly [shapeOf]?: Shape;
}

export type EndpointShapeOf<E> = E extends Endpoint<infer Shape, ResponseRead> ? Shape : never;

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** `"<METHOD> /path"`, as in the declaration's `allow` list; `{name}` is one path segment. */
export type EndpointKey = `${HttpMethod} /${string}`;

const json = <Shape extends EndpointShape>(): Endpoint<Shape, "json"> => ({ read: "json" });
const binary = <Shape extends EndpointShape = EndpointShape>(): Endpoint<Shape, "binary"> => ({
  read: "binary",
});
const empty = <Shape extends EndpointShape>(): Endpoint<Shape, "none"> => ({ read: "none" });

/** The declared APIs the SPA calls, by the name in `/api/<name>/…`. */
export const declaredApis = {
  graph: {
    /** The signed-in user's photo; Graph answers 404 `ImageNotFound` when there is none. */
    "GET /me/photo/$value": binary(),
    "GET /users": json<{
      query: GraphUsersQuery;
      headers: { consistencylevel?: "eventual" };
      response: GraphUserPage;
    }>(),
    "GET /users/{id}": json<{ query: GraphUserQuery; response: GraphUser }>(),
    "GET /users/{id}/photo/$value": binary(),
  },
  /** apps/tasks-api: the caller's own tasks (`tasks.ts`). */
  tasks: {
    "GET /tasks": json<{ response: TaskList }>(),
    /** 201 with the task; 409 `task_limit_reached` at `tasksApi.maxTasksPerUser`. */
    "POST /tasks": json<{ body: NewTask; response: Task }>(),
    /** 412 `precondition_failed` when the task changed since `ifMatch` was read. */
    "PATCH /tasks/{id}": json<{ body: TaskPatch; ifMatch: "required"; response: Task }>(),
    /** 204; 412 as PATCH. */
    "DELETE /tasks/{id}": empty<{ ifMatch: "required" }>(),
  },
  /** The same API's admin view, declared with `roles: ["Tasks.Admin"]` (else 403 `forbidden`). */
  "tasks-admin": {
    "GET /admin/summary": json<{ response: TasksAdminSummary }>(),
  },
} as const satisfies Record<string, Record<EndpointKey, Endpoint>>;

export type DeclaredApis = typeof declaredApis;
export type DeclaredApiName = keyof DeclaredApis;
