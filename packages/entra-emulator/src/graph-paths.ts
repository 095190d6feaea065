/**
 * Graph URL paths the emulator hosts, resolved to the resource they name. Any other
 * segment is Graph's 400 "Resource not found for the segment"; a method the resource does
 * not have is 405; a write Graph would allow is 403 (the emulator grants no write scope).
 */
import type { GraphCaller } from "./graph-auth.ts";
import { graphErrors } from "./graph-errors.ts";
import { parsePhotoSize } from "./photos.ts";
import type { TestUser } from "./types.ts";

export type GraphResource =
  | { kind: "users" }
  | { kind: "usersCount" }
  | { kind: "user"; id: string; user: TestUser | undefined }
  /** `/photo` (size undefined: the largest) or `/photos/{size}`; `value` = `/$value`. */
  | {
      kind: "photo";
      id: string;
      user: TestUser | undefined;
      size: number | undefined;
      value: boolean;
    }
  | { kind: "photos"; id: string; user: TestUser | undefined };

/** Splits `/v1.0/a/b?x` into decoded segments and the raw query; trailing slash ignored. */
export function splitGraphUrl(url: string): { segments: string[]; query: string } {
  const queryStart = url.indexOf("?");
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? "" : url.slice(queryStart + 1);
  const segments = path.split("/").slice(2);
  if (segments.at(-1) === "") segments.pop();
  try {
    return { segments: segments.map((segment) => decodeURIComponent(segment)), query };
  } catch {
    throw graphErrors.invalidUrl();
  }
}

/**
 * Users are looked up in the caller's tenant only: another tenant's people are not there.
 * Segments ignore case, as Graph's do (`/Users/{id}/Photo/$value`).
 */
export function resolveResource(caller: GraphCaller, segments: string[]): GraphResource {
  const [first, second, ...rest] = segments;
  if (first === undefined) throw graphErrors.segmentNotFound("v1.0");
  const name = first.toLowerCase();
  if (name === "me") {
    if (!caller.userOid) throw graphErrors.meNeedsDelegated();
    return userResource(caller.directory, caller.userOid, segments.slice(1));
  }
  if (name === "users") {
    if (second === undefined) return { kind: "users" };
    if (second.toLowerCase() === "$count" && rest.length === 0) return { kind: "usersCount" };
    return userResource(caller.directory, second, rest);
  }
  // OData's key syntax: /users('id-or-upn'), a quote inside doubled.
  const key = /^users\('((?:[^']|'')*)'\)$/i.exec(first)?.[1];
  if (key !== undefined) {
    return userResource(caller.directory, key.replaceAll("''", "'"), segments.slice(1));
  }
  throw graphErrors.segmentNotFound(first);
}

function userResource(
  directory: readonly TestUser[],
  id: string,
  segments: string[],
): GraphResource {
  const wanted = id.toLowerCase();
  const user = directory.find(
    (person) => person.oid === wanted || person.userPrincipalName.toLowerCase() === wanted,
  );
  const [first, second, third, ...rest] = segments;
  if (first === undefined) return { kind: "user", id, user };
  const isValue = (segment: string | undefined) => segment?.toLowerCase() === "$value";
  switch (first.toLowerCase()) {
    case "photo":
      if (second === undefined) return { kind: "photo", id, user, size: undefined, value: false };
      if (isValue(second) && third === undefined) {
        return { kind: "photo", id, user, size: undefined, value: true };
      }
      throw graphErrors.segmentNotFound(third ?? second);
    case "photos": {
      if (second === undefined) return { kind: "photos", id, user };
      // An id that is not a size names no photo: Graph's ImageNotFound, not a bad segment.
      const size = parsePhotoSize(second) ?? -1;
      if (third === undefined) return { kind: "photo", id, user, size, value: false };
      if (isValue(third) && rest.length === 0)
        return { kind: "photo", id, user, size, value: true };
      throw graphErrors.segmentNotFound(rest[0] ?? third);
    }
    default:
      throw graphErrors.segmentNotFound(first);
  }
}

const readMethods = new Set(["GET", "HEAD"]);

/** The writes Graph has on each resource; the emulator refuses them for want of a scope. */
function writeMethods(resource: GraphResource): string[] {
  switch (resource.kind) {
    case "users":
      return ["POST"];
    case "user":
      return ["PATCH", "DELETE"];
    case "photo":
      if (resource.size !== undefined) return [];
      return resource.value ? ["PUT"] : ["PATCH", "DELETE"];
    default:
      return [];
  }
}

export function checkMethod(resource: GraphResource, method: string): void {
  if (readMethods.has(method)) return;
  if (writeMethods(resource).includes(method)) throw graphErrors.insufficientPrivileges();
  throw graphErrors.methodNotAllowed();
}
