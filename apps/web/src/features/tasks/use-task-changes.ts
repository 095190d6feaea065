/**
 * Adding, changing and deleting tasks, each shown at once (optimistic) and undone with a
 * message when the Tasks API refuses it. Changes go to the API one at a time, in the order
 * made (one mutation scope), so a rename right after a tick sends the ETag the tick produced.
 */
import { apiErrorCodes, type Task, type TaskList, type TaskPatch } from "@entra-bff/contract";
import { type QueryClient, useMutation, useQueryClient } from "@tanstack/react-query";
import { isApiRequestError } from "../../api/client.ts";
import { api } from "../../api/declared-api.ts";
import { forgetVersion, latestEtag, rememberVersions } from "./task-versions.ts";
import { tasksQueryKeys } from "./tasks-query.ts";

const changeKey = ["tasks", "change"] as const;
const scope = { id: "tasks" };

export interface TaskProblem {
  id: number;
  /** Where the message is about: `conflict` when another tab changed the task first. */
  kind: "conflict" | "failed";
  message: string;
}

export type ReportProblem = (problem: Omit<TaskProblem, "id">) => void;

let unsavedIds = 0;

/** How a task looks from the moment it is added until the API answers (`version` 0). */
function unsavedTask(title: string): Task {
  const now = new Date().toISOString();
  unsavedIds += 1;
  return {
    id: `unsaved-${unsavedIds}`,
    title,
    done: false,
    createdAt: now,
    updatedAt: now,
    version: 0,
    etag: "",
  };
}

function reasonOf(error: unknown): string {
  if (isApiRequestError(error)) return error.message;
  return "Something went wrong. Please try again.";
}

const isConflict = (error: unknown) =>
  isApiRequestError(error) &&
  (error.status === 412 || error.code === apiErrorCodes.preconditionFailed);
const isGone = (error: unknown) => isApiRequestError(error) && error.status === 404;

/** Patches of changes still waiting for the API, for `id`, in the order they were made. */
function pendingPatches(queryClient: QueryClient, id: string, except: unknown): TaskPatch[] {
  return queryClient
    .getMutationCache()
    .findAll({ mutationKey: changeKey, status: "pending" })
    .map((mutation) => mutation.state.variables as { task?: Task; patch?: TaskPatch } | undefined)
    .filter((variables) => variables !== except && variables?.task?.id === id && variables.patch)
    .map((variables) => variables?.patch as TaskPatch);
}

export function useTaskChanges(userId: string, report: ReportProblem) {
  const queryClient = useQueryClient();
  const listKey = tasksQueryKeys.list(userId);

  const setTasks = (update: (tasks: Task[]) => Task[]) =>
    queryClient.setQueryData<TaskList>(listKey, (list) =>
      list ? { tasks: update(list.tasks) } : list,
    );
  // A list read that is under way would overwrite the optimistic change with the old list.
  const holdReads = () => queryClient.cancelQueries({ queryKey: listKey });
  /** Re-read once the last queued change is done: earlier reads would undo the later changes. */
  const settle = async () => {
    if (queryClient.isMutating({ mutationKey: changeKey }) === 1) {
      await queryClient.invalidateQueries({ queryKey: tasksQueryKeys.all(userId) });
    }
  };
  const reload = () => queryClient.invalidateQueries({ queryKey: tasksQueryKeys.all(userId) });
  const conflict = (title: string, what: string) =>
    report({
      kind: "conflict",
      message: `“${title}” was changed in another tab, so ${what}. The list now shows the latest version.`,
    });

  const add = useMutation({
    mutationKey: changeKey,
    scope,
    mutationFn: ({ title }: { title: string }) => api.tasks.post("/tasks", { body: { title } }),
    onMutate: async ({ title }) => {
      await holdReads();
      const task = unsavedTask(title);
      setTasks((tasks) => [...tasks, task]);
      return { unsavedId: task.id };
    },
    onSuccess: (task, _variables, context) => {
      rememberVersions(queryClient, [task]);
      setTasks((tasks) => tasks.map((t) => (t.id === context.unsavedId ? task : t)));
    },
    onError: (error, { title }, context) => {
      if (context) setTasks((tasks) => tasks.filter((t) => t.id !== context.unsavedId));
      report({ kind: "failed", message: `“${title}” could not be added: ${reasonOf(error)}` });
    },
    onSettled: settle,
  });

  const update = useMutation({
    mutationKey: changeKey,
    scope,
    mutationFn: ({ task, patch }: { task: Task; patch: TaskPatch }) =>
      api.tasks.patch("/tasks/{id}", {
        params: { id: task.id },
        body: patch,
        ifMatch: latestEtag(queryClient, task),
      }),
    onMutate: async ({ task, patch }) => {
      await holdReads();
      setTasks((tasks) => tasks.map((t) => (t.id === task.id ? { ...t, ...patch } : t)));
    },
    onSuccess: (saved, variables) => {
      rememberVersions(queryClient, [saved]);
      // The API's version, with the changes still queued for this task kept on screen.
      const shown: Task = Object.assign(
        { ...saved },
        ...pendingPatches(queryClient, saved.id, variables),
      );
      setTasks((tasks) => tasks.map((t) => (t.id === saved.id ? shown : t)));
    },
    onError: (error, { task, patch }) => {
      if (isConflict(error)) {
        conflict(task.title, "this change was not saved");
        void reload();
        return;
      }
      if (isGone(error)) {
        setTasks((tasks) => tasks.filter((t) => t.id !== task.id));
        report({
          kind: "conflict",
          message: `“${task.title}” no longer exists: it was deleted in another tab.`,
        });
        void reload();
        return;
      }
      // Undo only what this change touched: later changes of other fields stay.
      const undo: TaskPatch = {};
      if (patch.title !== undefined) undo.title = task.title;
      if (patch.done !== undefined) undo.done = task.done;
      setTasks((tasks) => tasks.map((t) => (t.id === task.id ? { ...t, ...undo } : t)));
      const what =
        patch.title !== undefined
          ? `could not be renamed to “${patch.title}”`
          : patch.done
            ? "could not be marked as done"
            : "could not be marked as not done";
      report({ kind: "failed", message: `“${task.title}” ${what}: ${reasonOf(error)}` });
    },
    onSettled: settle,
  });

  const remove = useMutation({
    mutationKey: changeKey,
    scope,
    mutationFn: ({ task }: { task: Task }) =>
      api.tasks.delete("/tasks/{id}", {
        params: { id: task.id },
        ifMatch: latestEtag(queryClient, task),
      }),
    onMutate: async ({ task }) => {
      await holdReads();
      const index =
        queryClient.getQueryData<TaskList>(listKey)?.tasks.findIndex((t) => t.id === task.id) ?? -1;
      setTasks((tasks) => tasks.filter((t) => t.id !== task.id));
      return { index };
    },
    onSuccess: (_data, { task }) => forgetVersion(queryClient, task.id),
    onError: (error, { task }, context) => {
      // Deleted already (another tab): what the user wanted.
      if (isGone(error)) return;
      if (isConflict(error)) {
        conflict(task.title, "it was not deleted");
        void reload();
        return;
      }
      setTasks((tasks) => {
        const next = tasks.filter((t) => t.id !== task.id);
        const at =
          context && context.index >= 0 ? Math.min(context.index, next.length) : next.length;
        next.splice(at, 0, task);
        return next;
      });
      report({
        kind: "failed",
        message: `“${task.title}” could not be deleted: ${reasonOf(error)}`,
      });
    },
    onSettled: settle,
  });

  return { add, update, remove };
}
