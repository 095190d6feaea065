// The BFF as a Fastify app: plugins, routes and the one error handler. server.ts listens;
// tests build the same app and inject requests.
import { apiErrorCodes } from "@entra-bff/contract";
import fastifyCookie from "@fastify/cookie";
import fastifySecureSession from "@fastify/secure-session";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import type { Config } from "./config.ts";
import { type BffContext, idTokenValidatorFactory } from "./context.ts";
import { BffError } from "./errors.ts";
import { IdpMetadataSource } from "./idp-metadata.ts";
import { genReqId, type LogStream, loggerOptions } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { requireCsrfHeader } from "./plugins/anti-forgery.ts";
import { staticSpa } from "./plugins/static-spa.ts";
import { callbackRoute } from "./routes/callback.ts";
import { frontchannelLogoutRoute } from "./routes/frontchannel-logout.ts";
import { healthRoutes } from "./routes/health.ts";
import { loginRoute } from "./routes/login.ts";
import { logoutRoute } from "./routes/logout.ts";
import { meRoute } from "./routes/me.ts";
import { sessionRoute } from "./routes/session.ts";
import { CookieCodec } from "./session/cookie-codec.ts";
import { cookieNames, sessionCookieOptions } from "./session/cookies.ts";
import { RedisRevocationStore } from "./session/redis-revocation.ts";
import { MemoryRevocationStore, type RevocationStore } from "./session/revocation.ts";
import { createTokenStore } from "./session/token-store.ts";
import { createTransactionStore } from "./session/transaction.ts";
import { createRenewer } from "./token-renewal.ts";

export interface BuildOptions {
  /** `false` silences logging; `{ stream }` sends the JSON lines there (tests). */
  logger?: false | { stream?: LogStream; level?: Config["logLevel"] };
  /** Epoch-milliseconds clock for session, transaction and token expiry. */
  now?: () => number;
  /** First retry delay of the IdP metadata download (doubles up to 30 s). */
  idpRetryDelayMs?: number;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The IdP metadata loader: `loaded`, `whenLoaded()` (used by tests and /readyz). */
    idp: IdpMetadataSource;
    /** Counters for server.ts's metrics listener. */
    metrics: Metrics;
  }
}

export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const serverOptions: FastifyServerOptions = {
    logger:
      options.logger === false
        ? false
        : loggerOptions(options.logger?.level ?? config.logLevel, options.logger?.stream),
    genReqId,
    requestIdHeader: false,
    trustProxy:
      typeof config.trustProxy === "number" ? trustHops(config.trustProxy) : config.trustProxy,
    // The BFF only accepts tiny bodies (logout has none).
    bodyLimit: 16 * 1024,
  };
  const app = Fastify(serverOptions).withTypeProvider<TypeBoxTypeProvider>();

  const now = options.now ?? Date.now;
  const idp = new IdpMetadataSource({
    authority: config.authority,
    timeoutMs: config.idpTimeoutMs,
    log: app.log,
    ...(options.idpRetryDelayMs === undefined
      ? {}
      : { initialRetryDelayMs: options.idpRetryDelayMs }),
  });
  app.decorate("idp", idp);
  app.addHook("onReady", async () => idp.start());
  app.addHook("onClose", async () => idp.stop());

  const names = cookieNames(config);
  await app.register(fastifyCookie);
  await app.register(fastifySecureSession, {
    sessionName: "session",
    cookieName: names.identity,
    key: config.sessionKeys,
    // secure-session's own clock check is only a backstop: identity.ts enforces the idle
    // and absolute expiry with the app's clock.
    expiry: config.sessionAbsoluteHours * 3600 + 300,
    cookie: sessionCookieOptions(config),
  });

  const revocations = await createRevocationStore(app, config, now);

  const metrics = createMetrics();
  app.decorate("metrics", metrics);
  const codec = new CookieCodec(app);
  const context: BffContext = {
    config,
    now,
    idp,
    idTokenValidator: idTokenValidatorFactory(config, now),
    cookies: names,
    tokens: createTokenStore(config, names, codec),
    transactions: createTransactionStore(config, names, codec),
    revocations,
    renew: createRenewer(metrics),
    metrics,
  };

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.setErrorHandler(errorHandler);

  // /auth/* and /api/*: never cached by browsers or proxies, JSON 404s.
  for (const prefix of ["/auth", "/api"]) {
    await app.register(
      async (scope) => {
        scope.setNotFoundHandler(async (request, reply) => {
          reply.header("cache-control", "no-store").code(404);
          return {
            code: apiErrorCodes.notFound,
            message: `No route ${request.method} ${request.url.split("?")[0]}.`,
          };
        });
      },
      { prefix },
    );
  }

  await app.register(async (auth) => {
    auth.addHook("onRequest", noStore);
    await auth.register(loginRoute, { context });
    await auth.register(callbackRoute, { context });
    await auth.register(sessionRoute, { context });
    await auth.register(logoutRoute, { context });
    await auth.register(frontchannelLogoutRoute, { context });
  });

  await app.register(async (api) => {
    api.addHook("onRequest", noStore);
    api.addHook("onRequest", requireCsrfHeader);
    await api.register(meRoute, { context });
  });

  await app.register(healthRoutes, { context });

  if (config.staticDir) {
    await app.register(staticSpa, { root: config.staticDir, hsts: config.secureCookies });
  } else {
    app.setNotFoundHandler(async (request, reply) => {
      reply.code(404);
      return {
        code: apiErrorCodes.notFound,
        message: `No route ${request.method} ${request.url.split("?")[0]}.`,
      };
    });
  }

  return app;
}

/** TRUST_PROXY=<n>: trust the nearest n proxies (proxy-addr's hop-count semantics). */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

async function noStore(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header("cache-control", "no-store");
}

/**
 * What leaves the process: `{ code, message }` for domain and client errors; a generic
 * message for anything else, whose details go only to the log.
 */
function errorHandler(
  error: FastifyError | BffError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof BffError) {
    if (error.statusCode >= 500) request.log.warn({ err: error }, error.message);
    else request.log.info({ code: error.code }, error.message);
    if (error.retryAfter) reply.header("retry-after", error.retryAfter);
    if (
      error.code === apiErrorCodes.claimsChallenge ||
      error.code === apiErrorCodes.consentRequired
    ) {
      request.server.metrics.interactionRequired(error.code);
    }
    return reply.code(error.statusCode).send({
      code: error.code,
      message: error.message,
      ...(error.loginUrl ? { loginUrl: error.loginUrl } : {}),
    });
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    return reply.code(status).send({ code: apiErrorCodes.badRequest, message: error.message });
  }
  request.log.error({ err: error }, "unhandled error");
  return reply.code(500).send({
    code: apiErrorCodes.internalError,
    message: `Something went wrong on our side. Request id: ${request.id}.`,
  });
}

/** Redis when REDIS_URL is set (several instances agree), else this process's memory. */
async function createRevocationStore(
  app: FastifyInstance,
  config: Config,
  now: () => number,
): Promise<RevocationStore> {
  if (config.redisUrl !== undefined) {
    const store = new RedisRevocationStore(config.redisUrl);
    await store.connect();
    app.addHook("onClose", async () => store.close());
    return store;
  }
  const store = new MemoryRevocationStore();
  const pruning = setInterval(() => store.prune(now()), 10 * 60_000);
  pruning.unref();
  app.addHook("onClose", async () => clearInterval(pruning));
  return store;
}
