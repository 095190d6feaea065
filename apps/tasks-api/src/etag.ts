// Strong entity tags from the task's version counter, and `If-Match` (RFC 9110 13.1.1).
import { apiErrorCodes } from "@entra-bff/contract";
import { TasksApiError } from "./errors.ts";

/** `"<version>"`: strong, changes with every write. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** What an `If-Match` header asks for. */
export type IfMatch = { any: true } | { any: false; versions: number[] };

const entityTag = /^(W\/)?"([\x21\x23-\x7e]*)"$/;

/**
 * Parses `If-Match`. Absent → 428 `precondition_required` (a change without it could
 * silently overwrite another tab's edit); malformed → 400. Weak tags (`W/"…"`) never match:
 * `If-Match` uses the strong comparison. Tags this API never issued are kept as "no match".
 */
export function parseIfMatch(header: string | undefined): IfMatch {
  if (header === undefined || header.trim() === "") {
    throw new TasksApiError(
      apiErrorCodes.preconditionRequired,
      428,
      "This change needs `If-Match` with the task's current `etag` (from GET /tasks or the last response), so that it cannot overwrite a change made elsewhere.",
    );
  }
  if (header.trim() === "*") return { any: true };
  const versions: number[] = [];
  for (const part of header.split(",")) {
    const match = entityTag.exec(part.trim());
    if (!match) {
      throw new TasksApiError(
        apiErrorCodes.badRequest,
        400,
        'If-Match must be `*` or entity tags such as "3" (the task\'s `etag`, quotes included).',
      );
    }
    if (match[1] === undefined && /^[1-9]\d{0,14}$/.test(match[2]!))
      versions.push(Number(match[2]));
  }
  return { any: false, versions };
}

export const staleVersion = (current: number) =>
  new TasksApiError(
    apiErrorCodes.preconditionFailed,
    412,
    `The task was changed elsewhere (another tab or device) since you loaded it; its current etag is ${etagOf(current)}. Reload it and try again.`,
  );
