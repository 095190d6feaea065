// The BFF as a Fastify app: plugins, routes and the one error handler. server.ts listens;
// tests build the same app and inject requests.
import { apiErrorCodes } from "@entra-bff/contract";
import fastifyCookie from "@fastify/cookie";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type HookHandlerDoneFunction,
} from "fastify";
import type { Config } from "./config.ts";
import { type BffContext, idTokenValidatorFactory } from "./context.ts";
import { BffError } from "./errors.ts";
import { createHttpAgent } from "./http-client.ts";
import { IdpMetadataSource } from "./idp-metadata.ts";
import { AccessLog, genReqId, type LogStream, loggerOptions } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { refuseCrossSite, requireCsrfHeader } from "./plugins/anti-forgery.ts";
import { credentialMonitor } from "./plugins/credential-monitor.ts";
import { staticSpa } from "./plugins/static-spa.ts";
import { adminConsentRoute } from "./routes/admin-consent.ts";
import { apiRoute } from "./routes/api.ts";
import { callbackRoute } from "./routes/callback.ts";
import { editProfileRoute } from "./routes/edit-profile.ts";
import { frontchannelLogoutRoute } from "./routes/frontchannel-logout.ts";
import { healthRoutes } from "./routes/health.ts";
import { loginRoute } from "./routes/login.ts";
import { logoutRoute } from "./routes/logout.ts";
import { meRoute } from "./routes/me.ts";
import { sessionRoute } from "./routes/session.ts";
import type { CookieCodec } from "./session/cookie-codec.ts";
import { cookieNames } from "./session/cookies.ts";
import { isIdentity } from "./session/identity.ts";
import { IdentityCookie } from "./session/identity-cookie.ts";
import { RedisConnection } from "./session/redis-connection.ts";
import { RedisRevocationStore } from "./session/redis-revocation.ts";
import { MemoryRevocationStore, type RevocationStore } from "./session/revocation.ts";
import { createCookieCodec } from "./session/session-codec.ts";
import { createTokenStore } from "./session/token-store.ts";
import { createTransactionStore } from "./session/transaction.ts";
import { userFlowList } from "./tenant-kind.ts";
import {
  type AccessTokenCache,
  MemoryAccessTokenCache,
  RedisAccessTokenCache,
} from "./tokens/access-token-cache.ts";
import { createAccessTokens } from "./tokens/access-tokens.ts";

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
    /** Seals and opens cookie payloads with SESSION_KEYS (tests read cookies with it). */
    cookieCodec: CookieCodec;
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
    logController: new AccessLog(),
    trustProxy:
      typeof config.trustProxy === "number" ? trustHops(config.trustProxy) : config.trustProxy,
    // The BFF's own routes accept tiny bodies (logout has none); a declared API sets its own.
    bodyLimit: 16 * 1024,
    // Errors the router raises before any route runs (a malformed URL or Content-Type):
    // the same JSON shape as every other error.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      reply
        .code(400)
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        .header("x-request-id", request.id)
        .send({ code: apiErrorCodes.badRequest, message: `Malformed request: ${error.message}` });
    },
  };
  const app = Fastify(serverOptions).withTypeProvider<TypeBoxTypeProvider>();

  const now = options.now ?? Date.now;
  const idp = new IdpMetadataSource({
    authority: config.authority,
    tenantKind: config.tenantKind,
    userFlows: userFlowList(config.userFlows),
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
  const codec = await createCookieCodec(app, config);
  const identities = new IdentityCookie(config, names.identity, codec, isIdentity);
  app.decorate("identities", identities);
  app.decorate("cookieCodec", codec);
  app.decorateRequest("identityCookie", null);
  // Only a request that changed the identity pays for sealing and sending it.
  // Callback-style hooks on every request: no promise or microtask turn for a check.
  app.addHook("onSend", (request, reply, payload, done) => {
    if (request.identityCookie) identities.flush(request, reply);
    done(null, payload);
  });

  const { revocations, tokenCache } = await createSharedStores(app, config, now);

  const metrics = createMetrics();
  app.decorate("metrics", metrics);
  const tokens = createTokenStore(config, names, codec);
  const idTokenValidator = idTokenValidatorFactory(config, now);
  const http = createHttpAgent();
  app.addHook("onClose", async () => http.close());
  const context: BffContext = {
    config,
    now,
    idp,
    idTokenValidator,
    cookies: names,
    tokens,
    transactions: createTransactionStore(config, names, codec),
    revocations,
    accessTokens: createAccessTokens({
      config,
      now,
      idp,
      idTokenValidator,
      cache: tokenCache,
      codec,
      refreshCookies: tokens,
      revocations,
      metrics,
    }),
    http,
    metrics,
  };

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  app.setErrorHandler(errorHandler);

  // /auth/* and /api/*: never cached by browsers or proxies, JSON 404s.
  for (const prefix of ["/auth", "/api"]) {
    await app.register(
      async (scope) => {
        scope.setNotFoundHandler(async (request, reply) => {
          reply
            .header("cache-control", "no-store")
            .header("x-content-type-options", "nosniff")
            .code(404);
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
    await auth.register(adminConsentRoute, { context });
    await auth.register(editProfileRoute, { context });
  });

  await app.register(async (api) => {
    api.addHook("onRequest", noStore);
    // A cross-site page cannot send X-CSRF without a preflight the BFF never grants; the
    // browser's own signals (Origin, Sec-Fetch-Site) refuse what gets through anyway.
    api.addHook("onRequest", requireCsrfHeader);
    api.addHook("onRequest", refuseCrossSite(config.publicOrigin));
    await api.register(meRoute, { context });
    await api.register(apiRoute, { context });
  });

  await app.register(healthRoutes, { context });
  await app.register(credentialMonitor, { context });

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

/** Answers of /auth and /api: never cached, never sniffed into another content type. */
function noStore(_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
  reply.header("cache-control", "no-store").header("x-content-type-options", "nosniff");
  done();
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

/**
 * Redis when REDIS_URL is set (several instances agree on ended sessions, used sign-in
 * states and cached access tokens), else this process's memory.
 */
async function createSharedStores(
  app: FastifyInstance,
  config: Config,
  now: () => number,
): Promise<{ revocations: RevocationStore; tokenCache: AccessTokenCache }> {
  if (config.redisUrl !== undefined) {
    const connection = new RedisConnection(config.redisUrl);
    await connection.connect();
    app.addHook("onClose", async () => connection.close());
    return {
      revocations: new RedisRevocationStore(connection),
      tokenCache: new RedisAccessTokenCache(connection),
    };
  }
  const revocations = new MemoryRevocationStore();
  const tokenCache = new MemoryAccessTokenCache(now);
  const pruning = setInterval(() => {
    revocations.prune(now());
    tokenCache.prune(now());
  }, 60_000);
  pruning.unref();
  app.addHook("onClose", async () => clearInterval(pruning));
  return { revocations, tokenCache };
}
