// /api/<name>/<path>: a declared downstream API, called with the session's access token for
// it. In order: the path and query are judged against the declaration (before any body is
// read), the session and its app roles are checked, then the request is forwarded with the
// allow-listed headers and the answer streamed back (a refused token renewed once).
import { Readable } from "node:stream";
import { apiErrorCodes, paths } from "@entra-bff/contract";
import fastifyReplyFrom from "@fastify/reply-from";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { RouteOptions } from "../context.ts";
import type { DownstreamApi } from "../downstream/declarations.ts";
import {
  browserResponseHeaders,
  upstreamFailure,
  upstreamRefusal,
  upstreamRequestHeaders,
} from "../downstream/proxy-rules.ts";
import { allowedQuery } from "../downstream/query.ts";
import { encodeSegment, findRoute, judgeRequestPath } from "../downstream/route-template.ts";
import { BffError } from "../errors.ts";
import { claimsChallenge as parseClaimsChallenge } from "../graph-client.ts";
import { requireSession } from "../session/signed-in.ts";
import { apiResource } from "../tokens/resources.ts";
import { type Attempt, withAccessToken } from "../tokens/with-access-token.ts";

/** A request the declaration allows, resolved before its body is read. */
interface DeclaredCall {
  api: DownstreamApi;
  upstreamUrl: string;
  queryString: string;
  browserPrefix: string;
}

declare module "fastify" {
  interface FastifyRequest {
    declaredCall?: DeclaredCall;
  }
}

/** What the proxy library hands over (its types describe a server response instead). */
interface UpstreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  stream: Readable;
}

/** Bodies up to this size are kept, so the call can be replayed after renewing its token. */
const replayableBodyBytes = 64 * 1024;

const notDeclared = (request: FastifyRequest) =>
  new BffError(
    apiErrorCodes.notFound,
    404,
    `No route ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}.`,
  );

export const apiRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const apis = new Map(context.config.downstreamApis.map((api) => [api.name, api]));
  if (apis.size === 0) return;

  await app.register(fastifyReplyFrom, {
    undici: context.http,
    disableRequestLogging: true,
  });
  // Bodies are forwarded as they came (not parsed and re-serialized), bounded per API.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", readBody);

  const resolve = async (request: FastifyRequest) => {
    request.declaredCall = resolveCall(request, apis);
  };
  const handler = (request: FastifyRequest, reply: FastifyReply) =>
    forwardCall(request, reply, context);
  for (const url of [`${paths.apiPrefix}/:api`, `${paths.apiPrefix}/:api/*`]) {
    app.route({
      method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      url,
      onRequest: resolve,
      handler,
    });
  }
};

/** Judges the raw URL (not the router's decoded params): traversal is decided after decoding. */
function resolveCall(request: FastifyRequest, apis: Map<string, DownstreamApi>): DeclaredCall {
  const url = request.url;
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const rest = path.slice(paths.apiPrefix.length + 1);
  const slash = rest.indexOf("/");
  const name = slash === -1 ? rest : rest.slice(0, slash);
  const api = apis.get(name);
  if (!api) throw notDeclared(request);
  const judged = judgeRequestPath(slash === -1 ? "" : rest.slice(slash));
  if ("problem" in judged) {
    throw new BffError(apiErrorCodes.badRequest, 400, `Refused path: ${judged.problem}.`);
  }
  if (!findRoute(api.routes, request.method, judged.segments)) throw notDeclared(request);
  const query = allowedQuery(q === -1 ? "" : url.slice(q + 1), api.query);
  if (typeof query !== "string") {
    throw new BffError(
      apiErrorCodes.badRequest,
      400,
      `The query parameter "${query.refused.slice(0, 60)}" is not allowed for the ${api.name} API.`,
    );
  }
  const length = Number(request.headers["content-length"] ?? 0);
  if (length > api.bodyLimitBytes) throw payloadTooLarge(api);
  const base = api.baseUrl.href.replace(/\/$/, "");
  return {
    api,
    upstreamUrl: `${base}${judged.segments.map((s) => `/${encodeSegment(s)}`).join("")}`,
    queryString: query,
    browserPrefix: `${paths.apiPrefix}/${api.name}`,
  };
}

async function forwardCall(
  request: FastifyRequest,
  reply: FastifyReply,
  context: RouteOptions["context"],
): Promise<FastifyReply> {
  const call = request.declaredCall!;
  const { api } = call;
  const session = await requireSession(context, request, reply);
  if (api.roles && !api.roles.some((role) => session.identity.user.roles?.includes(role))) {
    throw new BffError(
      apiErrorCodes.forbidden,
      403,
      `The ${api.name} API needs the app role ${api.roles.map((r) => `"${r}"`).join(" or ")}, which your account does not have.`,
    );
  }
  const body = request.body as Buffer | Readable | undefined;
  await withAccessToken(
    context,
    request,
    reply,
    session,
    apiResource(api),
    (accessToken) => forward(request, reply, call, accessToken, body),
    {
      replayable: !(body instanceof Readable),
      refusedAfterRenewal: () =>
        body instanceof Readable
          ? new BffError(
              apiErrorCodes.upstreamUnavailable,
              503,
              `The ${api.name} API refused the access token, which has been renewed; send the request again.`,
              { retryAfter: "0" },
            )
          : new BffError(
              apiErrorCodes.upstreamError,
              502,
              `The ${api.name} API rejected a freshly renewed access token.`,
            ),
    },
  );
  return reply;
}

/** One upstream call: resolves once the answer is streaming to the browser, or was a 401. */
function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  call: DeclaredCall,
  accessToken: string,
  body: Buffer | Readable | undefined,
): Promise<Attempt<undefined>> {
  const { api } = call;
  return new Promise((resolve, reject) => {
    try {
      reply.from(call.upstreamUrl, {
        timeout: api.timeoutMs,
        // Never retried by the library: a held request would outlive its time budget.
        retryDelay: () => null,
        queryString: () => call.queryString,
        ...(Buffer.isBuffer(body) && body.length > 0
          ? {
              body,
              contentType: request.headers["content-type"] ?? "application/octet-stream",
            }
          : {}),
        rewriteRequestHeaders: (_request, prepared) =>
          upstreamRequestHeaders(request.headers, prepared, api, accessToken, request.id),
        // Applied below, once the status says the answer is passed on at all.
        rewriteHeaders: () => ({}),
        onResponse: (_request, _reply, raw) => {
          const response = raw as unknown as UpstreamResponse;
          if (response.statusCode === 401) {
            response.stream.destroy();
            const challenge = response.headers["www-authenticate"];
            resolve({
              unauthorized: {
                claims: parseClaimsChallenge(typeof challenge === "string" ? challenge : null),
              },
            });
            return;
          }
          const refusal = upstreamRefusal(api, response.statusCode, response.headers);
          if (refusal) {
            response.stream.destroy();
            reject(refusal);
            return;
          }
          reply.headers(browserResponseHeaders(response.headers, api, call.browserPrefix));
          reply.send(response.stream);
          resolve({ ok: undefined });
        },
        onError: (_reply, { error }) => reject(upstreamFailure(api, error)),
      });
    } catch (error) {
      reject(
        new BffError(apiErrorCodes.badRequest, 400, "The request cannot be forwarded.", {
          cause: error,
        }),
      );
    }
  });
}

/**
 * Small bodies are read (bounded by the API's limit) so that the call can be replayed once
 * after renewing a refused token; large ones, announced by Content-Length (already checked
 * against the limit), stream to the API as they arrive.
 */
function readBody(
  request: FastifyRequest,
  payload: NodeJS.ReadableStream,
  done: (error: Error | null, body?: unknown) => void,
): void {
  const api = request.declaredCall?.api;
  if (!api) {
    done(null, undefined);
    return;
  }
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > replayableBodyBytes) {
    done(null, payload);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: Error | null, body?: Buffer) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  payload.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > api.bodyLimitBytes) {
      finish(payloadTooLarge(api));
      return;
    }
    chunks.push(chunk);
  });
  payload.on("end", () => finish(null, Buffer.concat(chunks)));
  payload.on("error", (error: Error) => finish(error));
}

function payloadTooLarge(api: DownstreamApi): BffError {
  return new BffError(
    apiErrorCodes.payloadTooLarge,
    413,
    `The request body is larger than the ${api.name} API accepts (${api.bodyLimitBytes} bytes).`,
  );
}
