/**
 * The newest ETag the Tasks API gave for each task, for `If-Match`. Kept apart from the list
 * on screen, which shows optimistic changes: a change queued behind another change of the
 * same task must send the ETag that change produced, not the one the user saw. A response
 * that raced with a newer one (a list read while a change was saved) never moves it back.
 */
import type { Task } from "@entra-bff/contract";
import type { QueryClient } from "@tanstack/react-query";

interface Known {
  version: number;
  etag: string;
}

const perClient = new WeakMap<QueryClient, Map<string, Known>>();

function known(queryClient: QueryClient): Map<string, Known> {
  let map = perClient.get(queryClient);
  if (!map) {
    map = new Map();
    perClient.set(queryClient, map);
  }
  return map;
}

export function rememberVersions(queryClient: QueryClient, tasks: readonly Task[]): void {
  const map = known(queryClient);
  for (const task of tasks) {
    const current = map.get(task.id);
    if (!current || task.version > current.version) {
      map.set(task.id, { version: task.version, etag: task.etag });
    }
  }
}

export function forgetVersion(queryClient: QueryClient, id: string): void {
  known(queryClient).delete(id);
}

/** The ETag to send as `If-Match` for `task`: the newest known, else the one it carries. */
export function latestEtag(queryClient: QueryClient, task: Task): string {
  const current = known(queryClient).get(task.id);
  return current && current.version >= task.version ? current.etag : task.etag;
}
