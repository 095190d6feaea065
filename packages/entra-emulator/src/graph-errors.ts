/** Microsoft Graph's error responses and the request ids on every Graph answer. */
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorContext } from "./context.ts";

/** A Graph error: thrown by the Graph routes, sent by their error handler in Graph's shape. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "GraphError";
  }
}

/** Graph's wording for the errors the emulator answers, one place for each. */
export const graphErrors = {
  segmentNotFound: (segment: string) =>
    new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: () =>
    new GraphError(
      405,
      "Request_BadRequest",
      "Specified HTTP method is not allowed for the request target.",
    ),
  invalidUrl: () => new GraphError(400, "BadRequest", "Bad Request - Invalid URL"),
  meNeedsDelegated: () =>
    new GraphError(
      400,
      "BadRequest",
      "/me request is only valid with delegated authentication flow.",
    ),
  insufficientPrivileges: () =>
    new GraphError(
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    ),
  resourceNotFound: (id: string) =>
    new GraphError(
      404,
      "Request_ResourceNotFound",
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  imageNotFound: () =>
    new GraphError(
      404,
      "ImageNotFound",
      "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
    ),
  /** OData syntax: the request cannot be parsed. */
  badQuery: (message: string) => new GraphError(400, "BadRequest", message),
  /** Parsed, but the directory does not run it (or not without the advanced query parameters). */
  unsupportedQuery: (message: string) => new GraphError(400, "Request_UnsupportedQuery", message),
  unsupportedProperty: (property: string) =>
    new GraphError(
      400,
      "Request_UnsupportedQuery",
      `Unsupported or invalid query filter clause specified for property '${property}' of resource 'User'.`,
    ),
  needsAdvancedQuery: (operator: string) =>
    new GraphError(
      400,
      "Request_UnsupportedQuery",
      `Operator '${operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
    ),
  tooManyClauses: (count: number) =>
    new GraphError(
      400,
      "Request_UnsupportedQuery",
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${count}. Max allowed: 15.`,
    ),
  countNotSupported: () =>
    new GraphError(400, "Request_BadRequest", "$count is not currently supported."),
  expiredPageToken: () =>
    new GraphError(
      400,
      "Directory_ExpiredPageToken",
      "The specified page token value has expired and can no longer be included in your request.",
    ),
};

interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

const requestIds = new WeakMap<FastifyRequest, RequestIds>();

/**
 * Gives the request Graph's ids and puts them on the reply: `request-id` (and
 * `x-ms-request-id`, as Microsoft's services send) and the caller's `client-request-id`
 * echoed back, or the request id when there is none.
 */
export function stampRequestIds(request: FastifyRequest, reply: FastifyReply): void {
  const requestId = randomUUID();
  const sent = request.headers["client-request-id"];
  // Echoed into a header and the body: bounded, so a caller cannot make answers huge.
  const clientRequestId = typeof sent === "string" && sent.length <= 256 ? sent : requestId;
  requestIds.set(request, { requestId, clientRequestId });
  reply
    .header("request-id", requestId)
    .header("x-ms-request-id", requestId)
    .header("client-request-id", clientRequestId)
    .header("cache-control", "no-cache");
}

/** `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
export function graphErrorBody(
  ctx: EmulatorContext,
  request: FastifyRequest,
  code: string,
  message: string,
) {
  const ids = requestIds.get(request);
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date(ctx.now()).toISOString().slice(0, 19),
        "request-id": ids?.requestId ?? "",
        "client-request-id": ids?.clientRequestId ?? "",
      },
    },
  };
}

/** The Graph routes' error handler: GraphErrors as thrown, anything else as Graph's 500. */
export function sendGraphError(
  ctx: EmulatorContext,
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const graphError = toGraphError(error);
  return reply
    .code(graphError.status)
    .headers(graphError.headers)
    .header("content-type", "application/json")
    .send(graphErrorBody(ctx, request, graphError.code, graphError.message));
}

function toGraphError(error: unknown): GraphError {
  if (error instanceof GraphError) return error;
  // Fastify's own 4xx (an unparsable body, a wrong content type) keep their status.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new GraphError(status, "BadRequest", (error as Error).message);
  }
  return new GraphError(500, "generalException", "An unspecified error has occurred.");
}
