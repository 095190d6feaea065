import Type, { type Static } from "typebox";

/**
 * The Tasks API (apps/tasks-api): the team's own Entra-protected resource. The SPA reaches
 * it through the BFF as `/api/tasks<path>` (e.g. `/api/tasks/tasks/<id>`); the BFF calls it
 * with an access token for `tasksApi.scope`.
 */
export const tasksApi = {
  /** The delegated scope every request's token must carry in `scp` (short form). */
  scope: "Tasks.ReadWrite",
  /** The app role `GET /admin/summary` requires in the token's `roles` claim. */
  adminRole: "Tasks.Admin",
  /** Longest title, in characters (Unicode code points), after trimming. */
  titleMaxLength: 200,
  /** Most tasks one user may hold; `POST /tasks` beyond it answers 409 `task_limit_reached`. */
  maxTasksPerUser: 1000,
} as const;

/** The Tasks API's paths (on the API itself; through the BFF prefix them with `/api/tasks`). */
export const tasksApiPaths = {
  tasks: "/tasks",
  /** `/tasks/<id>`. */
  task: (id: string) => `/tasks/${encodeURIComponent(id)}`,
  adminSummary: "/admin/summary",
  healthz: "/healthz",
  readyz: "/readyz",
} as const;

/** A task id: a lowercase UUID the API generates (random, so ids reveal nothing). */
export const TaskIdSchema = Type.String({
  pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
  description: "lowercase UUID",
});

/**
 * A title as sent: at least one non-space character, no control characters, at most
 * `tasksApi.titleMaxLength` characters. The API stores it trimmed.
 */
export const TaskTitleSchema = Type.String({
  minLength: 1,
  maxLength: tasksApi.titleMaxLength,
  // Linear-time: one lookahead for "not only spaces", one class for the allowed characters.
  pattern: "^(?=[\\s\\S]*\\S)[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$",
  description: "1 to 200 characters, not only spaces, no control characters",
});

/**
 * One task. `etag` is the value to send as `If-Match` on `PATCH` and `DELETE` (also the
 * response's `ETag` header): a strong entity tag derived from `version`, which goes up by
 * one with every change. A stale `If-Match` gets 412 `precondition_failed`.
 */
export const TaskSchema = Type.Object(
  {
    id: TaskIdSchema,
    title: Type.String(),
    done: Type.Boolean(),
    /** ISO 8601 (UTC). */
    createdAt: Type.String(),
    /** ISO 8601 (UTC): the last change. */
    updatedAt: Type.String(),
    /** 1 when created; +1 per change. */
    version: Type.Integer({ minimum: 1 }),
    /** `"<version>"`, quotes included: send it back verbatim as `If-Match`. */
    etag: Type.String(),
  },
  { additionalProperties: false },
);
export type Task = Static<typeof TaskSchema>;

/** `GET /tasks`: the caller's tasks, oldest first. */
export const TaskListSchema = Type.Object(
  {
    tasks: Type.Array(TaskSchema, { maxItems: tasksApi.maxTasksPerUser }),
  },
  { additionalProperties: false },
);
export type TaskList = Static<typeof TaskListSchema>;

/** `POST /tasks` body. Answers 201 with the task, `Location` and `ETag`. */
export const NewTaskSchema = Type.Object(
  {
    title: TaskTitleSchema,
    /** Default false. */
    done: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NewTask = Static<typeof NewTaskSchema>;

/**
 * `PATCH /tasks/<id>` body (`application/json`; at least one field) with `If-Match: <etag>`.
 * Without `If-Match`: 428 `precondition_required`; with a stale one: 412 `precondition_failed`.
 * `DELETE /tasks/<id>` takes the same `If-Match` and answers 204.
 */
export const TaskPatchSchema = Type.Object(
  {
    title: Type.Optional(TaskTitleSchema),
    done: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type TaskPatch = Static<typeof TaskPatchSchema>;

/** `GET /admin/summary` (needs the `Tasks.Admin` app role): counts for the caller's tenant. */
export const TasksAdminSummarySchema = Type.Object(
  {
    tenantId: Type.String(),
    /** Users holding at least one task. */
    users: Type.Integer({ minimum: 0 }),
    tasks: Type.Integer({ minimum: 0 }),
    done: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type TasksAdminSummary = Static<typeof TasksAdminSummarySchema>;
