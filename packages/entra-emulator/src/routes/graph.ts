/**
 * Microsoft Graph v1.0 as the emulator hosts it: the signed-in user (`/me`), the tenant's
 * directory (`/users`, with Graph's OData query options and paging) and profile photos.
 * Each request goes as at Graph: faults, bearer token, path, method, permission, query.
 * Every answer carries Graph's request ids; every error has Graph's JSON shape.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context.ts";
import {
  authenticateGraphCaller,
  directoryAccess,
  type GraphCaller,
  profileAccess,
} from "../graph-auth.ts";
import { graphErrors, sendGraphError, stampRequestIds } from "../graph-errors.ts";
import { takeGraphFaultError, takeLargeBody } from "../graph-faults.ts";
import { largeJsonBody, largePngBody } from "../graph-large-body.ts";
import { decodeSkipToken, encodeSkipToken, nextLink, queryFingerprint } from "../graph-paging.ts";
import { checkMethod, type GraphResource, resolveResource, splitGraphUrl } from "../graph-paths.ts";
import {
  parseODataOptions,
  parseSelect,
  parseUsersQuery,
  queryAllowed,
  runUsersQuery,
  usersContext,
} from "../graph-query.ts";
import { projectUser } from "../graph-user.ts";
import { type Photo, photoOf, photoSizes } from "../photos.ts";
import type { TestUser } from "../types.ts";
import { applyDelay } from "./tenant.ts";

const graphJson =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
const metadata = "https://graph.microsoft.com/v1.0/$metadata";
const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

type Options = ReadonlyMap<string, string>;

export function graphRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  void app.register(async (graph) => {
    graph.addHook("onRequest", async (request, reply) => stampRequestIds(request, reply));
    graph.setErrorHandler((error, request, reply) => sendGraphError(ctx, error, request, reply));
    // No Graph route reads a body: any content type is taken as bytes, so a write is
    // answered by its permission (403), not by a parser's complaint about the body.
    graph.removeAllContentTypeParsers();
    graph.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) =>
      done(null, body),
    );
    const handler = (request: FastifyRequest, reply: FastifyReply) =>
      answerGraphRequest(ctx, request, reply);
    graph.route({ method: methods, url: "/v1.0", handler });
    graph.route({ method: methods, url: "/v1.0/*", handler });
  });
}

async function answerGraphRequest(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  await applyDelay(ctx, "graph");
  const fault = takeGraphFaultError(ctx);
  if (fault) throw fault;
  const caller = await authenticateGraphCaller(ctx, request);
  const { segments, query } = splitGraphUrl(request.url);
  const resource = resolveResource(caller, segments);
  checkMethod(resource, request.method);
  const options = parseODataOptions(query);
  switch (resource.kind) {
    case "users":
      return listUsers(ctx, request, reply, caller, options);
    case "usersCount":
      return countUsers(request, reply, caller, options);
    case "user": {
      const { user, access } = readableUser(caller, resource);
      const select = parseSelect(options);
      return sendJson(ctx, request, reply, {
        "@odata.context": usersContext(options, select, true),
        ...projectUser(user, select, access),
      });
    }
    case "photos": {
      const { user } = readableUser(caller, resource);
      const photos = photoSizes.flatMap((size) => photoOf(user, size) ?? []);
      return sendJson(ctx, request, reply, {
        "@odata.context": `${metadata}#users('${user.oid}')/photos`,
        value: photos.map((photo) => photoMetadata(photo)),
      });
    }
    case "photo": {
      const { user } = readableUser(caller, resource);
      const photo = photoOf(user, resource.size);
      if (!photo) throw graphErrors.imageNotFound();
      if (resource.value) return sendPhoto(ctx, request, reply, photo);
      const path = resource.size === undefined ? "photo" : "photos";
      return sendJson(ctx, request, reply, {
        "@odata.context": `${metadata}#users('${user.oid}')/${path}/$entity`,
        ...photoMetadata(photo),
      });
    }
  }
}

/** `GET /users`: the directory, filtered, searched, ordered and paged. */
function listUsers(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  caller: GraphCaller,
  options: Options,
) {
  const access = directoryAccess(caller);
  if (!access) throw graphErrors.insufficientPrivileges();
  const query = parseUsersQuery(options, eventual(request));
  if (!queryAllowed(query, access)) throw graphErrors.insufficientPrivileges();
  const matched = runUsersQuery(caller.directory, query);

  const fingerprint = queryFingerprint(options);
  const offset = query.skipToken === undefined ? 0 : decodeSkipToken(query.skipToken, fingerprint);
  const end = offset + query.top;
  const next =
    end < matched.length
      ? nextLink(ctx.url, "/v1.0/users", options, encodeSkipToken(end, fingerprint))
      : undefined;
  return sendJson(ctx, request, reply, {
    "@odata.context": usersContext(options, query.select, false),
    // Like Graph, the count comes with the first page only.
    ...(query.count && offset === 0 ? { "@odata.count": matched.length } : {}),
    ...(next ? { "@odata.nextLink": next } : {}),
    value: matched
      .slice(offset, end)
      .map((user) => projectUser(user, query.select, profileAccess(caller, user.oid) ?? access)),
  });
}

/** `GET /users/$count`: plain text, and only with `ConsistencyLevel: eventual`. */
function countUsers(
  request: FastifyRequest,
  reply: FastifyReply,
  caller: GraphCaller,
  options: Options,
) {
  const access = directoryAccess(caller);
  if (!access) throw graphErrors.insufficientPrivileges();
  if (!eventual(request)) throw graphErrors.countNotSupported();
  const query = parseUsersQuery(new Map([...options, ["$count", "true"]]), true);
  if (!queryAllowed(query, access)) throw graphErrors.insufficientPrivileges();
  return reply
    .header("content-type", "text/plain")
    .send(String(runUsersQuery(caller.directory, query).length));
}

/**
 * The user a path names, with what the caller may read of them. The permission is checked
 * before existence, so a caller without directory access learns nothing from a 404.
 */
function readableUser(
  caller: GraphCaller,
  resource: Extract<GraphResource, { id: string }>,
): { user: TestUser; access: "full" | "basic" } {
  const access = profileAccess(caller, resource.user?.oid ?? resource.id);
  if (!access) throw graphErrors.insufficientPrivileges();
  if (!resource.user) throw graphErrors.resourceNotFound(resource.id);
  return { user: resource.user, access };
}

function photoMetadata(photo: Photo) {
  return {
    "@odata.mediaContentType": "image/png",
    "@odata.mediaEtag": photo.etag,
    id: `${photo.size}X${photo.size}`,
    height: photo.size,
    width: photo.size,
  };
}

function eventual(request: FastifyRequest): boolean {
  const value = request.headers.consistencylevel;
  return typeof value === "string" && value.trim().toLowerCase() === "eventual";
}

function sendJson(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  body: Record<string, unknown>,
) {
  reply.header("content-type", graphJson).header("odata-version", "4.0");
  const bytes = request.method === "GET" ? takeLargeBody(ctx) : undefined;
  if (bytes === undefined) return reply.send(JSON.stringify(body));
  const large = largeJsonBody(body, bytes);
  return reply.header("content-length", large.length).send(large.stream);
}

/** `…/photo/$value`: the image, with its ETag; `If-None-Match` with it → 304. */
function sendPhoto(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  photo: Photo,
) {
  reply
    .header("content-type", "image/png")
    .header("etag", photo.etag)
    .header("cache-control", "private");
  if (etagMatches(request.headers["if-none-match"], photo.etag)) return reply.code(304).send();
  const bytes = request.method === "GET" ? takeLargeBody(ctx) : undefined;
  if (bytes !== undefined) {
    return reply.header("content-length", bytes).send(largePngBody(bytes));
  }
  return reply.send(photo.png);
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}
