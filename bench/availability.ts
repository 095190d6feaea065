// Whether the targets of the later phases exist yet: the BFF's declared-API proxy, the
// emulator's Graph directory, the Tasks API. A phase runs only when its target is there
// (checked here from the files, then by one real request per session in run.ts); otherwise
// the results name it as not measured, with the reason.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Whether the declared-APIs document allows `route` (e.g. "GET /users/{id}") on API `name`. */
export function declaresRoute(document: unknown, name: string, route: string): boolean {
  const api = (document as { apis?: Record<string, { allow?: unknown }> } | null)?.apis?.[name];
  return Array.isArray(api?.allow) && api.allow.includes(route);
}

function readDeclarations(file: string): { document?: unknown; problem?: string } {
  if (!existsSync(file)) return { problem: `${file} does not exist` };
  try {
    return { document: JSON.parse(readFileSync(file, "utf8")) };
  } catch (error) {
    return { problem: `${file} is not JSON (${(error as Error).message})` };
  }
}

/** Why the proxied-Graph phases cannot run, or undefined when their files are there. */
export function graphProxyMissing(declarationsFile: string): string | undefined {
  const { document, problem } = readDeclarations(declarationsFile);
  if (problem) return problem;
  return declaresRoute(document, "graph", "GET /users/{id}")
    ? undefined
    : `${declarationsFile} does not declare GET /users/{id} for the API "graph"`;
}

/** Why the Tasks phases cannot run, or undefined when their files are there. */
export function tasksMissing(declarationsFile: string, tasksBundle: string): string | undefined {
  if (!existsSync(tasksBundle)) {
    return `${tasksBundle} is not built (pnpm --filter @entra-bff/tasks-api run build)`;
  }
  const { document, problem } = readDeclarations(declarationsFile);
  if (problem) return problem;
  const missing = ["GET /tasks", "POST /tasks"].filter((r) => !declaresRoute(document, "tasks", r));
  return missing.length
    ? `${declarationsFile} does not declare ${missing.join(" and ")} for the API "tasks"`
    : undefined;
}

/** The newest modification time (ms) of any file under `dir`; 0 when there is none. */
export function newestFileMs(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** A note when a bundle is older than its sources: the run measures the older code. */
export function staleBuildNote(bundle: string, sourceDirs: string[]): string | undefined {
  if (!existsSync(bundle)) return undefined;
  const built = statSync(bundle).mtimeMs;
  const stale = sourceDirs.filter((dir) => newestFileMs(dir) > built);
  return stale.length
    ? `${bundle} is older than ${stale.join(" and ")}: this run measured the last build ` +
        "(`pnpm bench --build` rebuilds first)."
    : undefined;
}
