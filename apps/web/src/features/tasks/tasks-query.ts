/** The signed-in user's tasks and the team summary, from the Tasks API through the BFF. */
import type { Task, TaskList } from "@entra-bff/contract";
import { type QueryClient, queryOptions } from "@tanstack/react-query";
import { api } from "../../api/declared-api.ts";
import { rememberVersions } from "./task-versions.ts";

export const tasksQueryKeys = {
  /** Keyed by the signed-in user: another user never sees these from the cache. */
  all: (userId: string) => ["tasks", userId] as const,
  list: (userId: string) => ["tasks", userId, "list"] as const,
  summary: (userId: string) => ["tasks", userId, "summary"] as const,
};

export function tasksQuery(queryClient: QueryClient, userId: string) {
  return queryOptions({
    queryKey: tasksQueryKeys.list(userId),
    queryFn: async ({ signal }): Promise<TaskList> => {
      const list = await api.tasks.get("/tasks", { signal });
      rememberVersions(queryClient, list.tasks);
      return list;
    },
    staleTime: 30_000,
  });
}

/** `GET /api/tasks-admin/admin/summary`: only for `Tasks.Admin` (the BFF answers 403 otherwise). */
export function teamSummaryQuery(userId: string) {
  return queryOptions({
    queryKey: tasksQueryKeys.summary(userId),
    queryFn: ({ signal }) => api.tasksAdmin.get("/admin/summary", { signal }),
    staleTime: 30_000,
  });
}

/** A task added on this page that the API has not confirmed yet (it has no real id). */
export function isUnsaved(task: Task): boolean {
  return task.version === 0;
}
