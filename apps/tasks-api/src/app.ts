// The Tasks API as a Fastify app: the token gate, routes and the one error handler.
// server.ts listens; tests build the same app.
import { apiErrorCodes, tasksApi } from "@entra-bff/contract";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { createAccessTokenValidator } from "./auth/access-token.ts";
import { authenticate } from "./auth/authenticate.ts";
import { AuthoritySource } from "./auth/authority.ts";
import { bearerChallenge } from "./auth/bearer-challenge.ts";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { TasksApiError } from "./errors.ts";
import { genReqId, type LogStream, loggerOptions } from "./logger.ts";
import { adminRoutes } from "./routes/admin.ts";
import { healthRoutes } from "./routes/health.ts";
import { tasksRoutes } from "./routes/tasks.ts";
import { openDatabase } from "./store/database.ts";
import { TaskStore } from "./store/task-store.ts";
import { ajvOptions, validationError } from "./validation.ts";

export interface BuildOptions {
  /** `false` silences logging; `{ stream }` sends the JSON lines there (tests). */
  logger?: false | { stream?: LogStream; level?: Config["logLevel"] };
  /** Epoch-milliseconds clock for token lifetimes and task timestamps. */
  now?: () => number;
  /** First retry delay of the issuer metadata download (doubles up to 30 s). */
  idpRetryDelayMs?: number;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The token issuer loader: `loaded`, `whenLoaded()` (tests, /readyz). */
    authority: AuthoritySource;
  }
}

/** Task bodies are a title and a flag; anything near this size is not one. */
const bodyLimitBytes = 4 * 1024;

/**
 * Builds the app and opens (and migrates) the database in `config.dataDir`; throws if the
 * database cannot be opened. Closing the app closes the database.
 */
export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : loggerOptions(options.logger?.level ?? config.logLevel, options.logger?.stream),
    genReqId,
    requestIdHeader: false,
    bodyLimit: bodyLimitBytes,
    ajv: { customOptions: ajvOptions },
    schemaErrorFormatter: validationError,
    // A request that trickles in must not hold a connection forever.
    requestTimeout: 30_000,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const now = options.now ?? Date.now;
  const authority = new AuthoritySource({
    authority: config.authority,
    timeoutMs: config.idpTimeoutMs,
    log: app.log,
    ...(options.idpRetryDelayMs === undefined
      ? {}
      : { initialRetryDelayMs: options.idpRetryDelayMs }),
  });
  app.decorate("authority", authority);
  app.addHook("onReady", async () => authority.start());

  const db = openDatabase(config.dataDir);
  app.addHook("onClose", async () => {
    authority.stop();
    db.close();
  });

  const context: AppContext = {
    config,
    now,
    authority,
    validateToken: createAccessTokenValidator({
      clientId: config.clientId,
      appIdUri: config.appIdUri,
      // Applies only to an issuer template (multi-tenant); a fixed issuer names one tenant.
      allowedTenants: config.allowedTenants,
      now,
    }),
    db,
    store: new TaskStore(db, { maxPerUser: tasksApi.maxTasksPerUser }),
  };

  // JSON only: text/plain (Fastify's other default) would reach the schema as a string.
  app.removeContentTypeParser("text/plain");
  // RFC 7396 JSON merge patch is what PATCH /tasks/{id} bodies are.
  app.addContentTypeParser(
    "application/merge-patch+json",
    { parseAs: "string", bodyLimit: bodyLimitBytes },
    app.getDefaultJsonParser("error", "error"),
  );

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // Per-user data: never stored by a browser or an intermediary.
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
  });
  app.setErrorHandler((error: FastifyError | TasksApiError, request, reply) =>
    errorHandler(config, error, request, reply),
  );
  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    return {
      code: apiErrorCodes.notFound,
      message: `No route ${request.method} ${request.url.split("?")[0]}.`,
    };
  });

  await app.register(healthRoutes, { context });
  await app.register(async (api) => {
    api.addHook("onRequest", authenticate(context));
    await api.register(tasksRoutes, { context });
    await api.register(adminRoutes, { context });
  });

  return app;
}

/**
 * What leaves the process: `{ code, message }` (with `WWW-Authenticate` for token problems)
 * for domain and client errors; a generic message for anything else, whose details go only
 * to the log.
 */
function errorHandler(
  config: Config,
  error: FastifyError | TasksApiError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof TasksApiError) {
    if (error.statusCode >= 500) request.log.warn({ err: error }, error.message);
    else request.log.debug({ code: error.code }, error.message);
    if (error.retryAfter) reply.header("retry-after", error.retryAfter);
    if (error.challenge) {
      reply.header("www-authenticate", bearerChallenge(config.appIdUri, error.challenge));
    }
    return reply.code(error.statusCode).send({ code: error.code, message: error.message });
  }
  const status = error.statusCode ?? 500;
  if (status === 413) {
    return reply.code(413).send({
      code: apiErrorCodes.payloadTooLarge,
      message: `The request body is larger than ${bodyLimitBytes} bytes.`,
    });
  }
  if (status === 415) {
    return reply.code(415).send({
      code: apiErrorCodes.badRequest,
      message: "The request body must be JSON (Content-Type: application/json).",
    });
  }
  if (status < 500) {
    return reply.code(status).send({ code: apiErrorCodes.badRequest, message: error.message });
  }
  request.log.error({ err: error }, "unhandled error");
  return reply.code(500).send({
    code: apiErrorCodes.internalError,
    message: `Something went wrong on our side. Request id: ${request.id}.`,
  });
}
