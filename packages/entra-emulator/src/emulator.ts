/** createEmulator: the Entra ID v2.0 + Graph /me emulator as one Fastify app on one port. */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createServer } from "node:http";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import Fastify, { errorCodes, type FastifyReply, type FastifyRequest } from "fastify";
import { assertApplicationPermissions } from "./application-permissions.ts";
import { ConsentStore, consentAdmin } from "./consents.ts";
import { type EmulatorContext, issuer } from "./context.ts";
import { createCredentialState } from "./credential-state.ts";
import { defaultCustomers, resolveTenantKind } from "./customer-tenants.ts";
import {
  defaultClient,
  defaultTenantDomain,
  defaultTenantId,
  defaultUsers,
  tasksApiRegistration,
} from "./defaults.ts";
import { ensureDevCertificates } from "./dev-certificates.ts";
import { createDualProtocolServer } from "./dual-protocol-server.ts";
import { aadsts } from "./entra-error.ts";
import { assertFaultFits, FaultRegistry } from "./faults.ts";
import { federatedIssuer, federatedIssuerRoutes } from "./federated-issuers.ts";
import { graphErrors, sendGraphError, stampRequestIds } from "./graph-errors.ts";
import { managedIdentityPath, managedIdentityRoutes } from "./managed-identity.ts";
import { assertRegistrations } from "./registrations.ts";
import { adminRoutes } from "./routes/admin.ts";
import { adminConsentRoutes } from "./routes/admin-consent.ts";
import { authorizeRoutes } from "./routes/authorize.ts";
import { customerFlowRoutes } from "./routes/customer-flows.ts";
import { deviceCodeRoutes } from "./routes/device-code.ts";
import { discoveryRoutes } from "./routes/discovery.ts";
import { errorLookupRoutes } from "./routes/error-lookup.ts";
import { graphRoutes } from "./routes/graph.ts";
import { logoutRoutes } from "./routes/logout.ts";
import { sendEntraError, stampEntraRequestId } from "./routes/tenant.ts";
import { tokenRoutes } from "./routes/token.ts";
import { userinfoRoutes } from "./routes/userinfo.ts";
import { createSigningKey } from "./signing-key.ts";
import { hostedTenants } from "./tenants.ts";
import type { Emulator, EmulatorOptions } from "./types.ts";

type Handler = RequestListener<typeof IncomingMessage, typeof ServerResponse>;

/**
 * Starts an emulator and resolves once it listens. Does not touch `NODE_EXTRA_CA_CERTS`:
 * Node reads it only at process start, so the caller (vitest config, `pnpm dev`) sets it
 * for the processes that will call the https endpoints.
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  // Checked first: a misconfigured tenant is a TypeError before anything starts.
  const kind = resolveTenantKind(options.tenantKind, options.b2c);
  const customers = kind.kind !== "workforce";
  const domain = options.tenantDomain ?? defaultTenantDomain;
  const tenants = hostedTenants({
    tenantId: options.tenantId ?? defaultTenantId,
    domain,
    // Customers edit their profiles and sign up: each emulator gets its own copies.
    users: customers
      ? structuredClone(options.users ?? defaultCustomers(domain))
      : (options.users ?? defaultUsers),
    admins: options.admins,
    tenants: options.tenants ?? [],
  });
  const certificates = await ensureDevCertificates({
    dir: options.certDir,
    hostnames: options.hostnames,
  });
  const [key, cert, signingKey] = await Promise.all([
    readFile(certificates.keyFile, "utf8"),
    readFile(certificates.certFile, "utf8"),
    createSigningKey(),
  ]);

  const clients = options.clients ?? [defaultClient];
  // A fresh registration per emulator: a test may change it (e.g. its role assignments).
  const apis = options.apis ?? [tasksApiRegistration()];
  assertRegistrations([...clients, ...apis]);

  let handler: Handler | undefined;
  let ctx: EmulatorContext;
  // Fastify never listens itself: the dual-protocol server feeds it both kinds of connection.
  const app = Fastify({
    logger: false,
    serverFactory: (h) => {
      handler = h;
      return createServer(h);
    },
    // A URL Fastify cannot decode still gets Entra's (or, under /v1.0, Graph's) error shape.
    frameworkErrors: (error, request, reply) => answerFrameworkError(ctx, error, request, reply),
  });
  const closing = new AbortController();
  ctx = {
    url: "",
    browserUrl: "",
    tenantKind: kind.kind,
    b2c: kind.b2c,
    tenantId: tenants[0]!.tenantId,
    users: tenants[0]!.users,
    tenants,
    clients,
    apis,
    settings: {
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds,
      deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds ?? 5,
    },
    requirePkce: options.requirePkce ?? false,
    faults: new FaultRegistry((fault) => assertFaultFits(ctx, fault)),
    key: signingKey,
    now: options.now ?? Date.now,
    closing: closing.signal,
    transactions: new Map(),
    pendingConsents: new Map(),
    customerPages: new Map(),
    consents: new ConsentStore(tenants[0]!.tenantId, { adminGrantedAll: customers }),
    codes: new Map(),
    refreshTokens: new Map(),
    deviceCodes: new Map(),
    sessions: new Map(),
    credentials: createCredentialState(options),
  };

  // Needs the registered APIs: each configured application permission must exist.
  assertApplicationPermissions(ctx);

  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  app.addHook("onRequest", async (_request, reply) => stampEntraRequestId(reply));
  discoveryRoutes(app, ctx);
  authorizeRoutes(app, ctx);
  customerFlowRoutes(app, ctx);
  adminConsentRoutes(app, ctx);
  tokenRoutes(app, ctx);
  deviceCodeRoutes(app, ctx);
  managedIdentityRoutes(app, ctx);
  federatedIssuerRoutes(app, ctx);
  logoutRoutes(app, ctx);
  errorLookupRoutes(app, ctx);
  userinfoRoutes(app, ctx);
  graphRoutes(app, ctx);
  if (options.adminApi !== false) adminRoutes(app, ctx);
  await app.ready();

  const server = createDualProtocolServer(handler!, { key, cert });
  const address = await server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  ctx.url = trimSlash(options.backchannelUrl ?? `https://localhost:${address.port}`);
  const pagesScheme = options.httpsPages ? "https" : "http";
  ctx.browserUrl = trimSlash(options.browserUrl ?? `${pagesScheme}://localhost:${address.port}`);

  let closed: Promise<void> | undefined;
  return {
    url: ctx.url,
    tenantKind: ctx.tenantKind,
    issuer: issuer(ctx),
    ...(ctx.b2c ? { b2cPolicies: { ...ctx.b2c.policies } } : {}),
    browserUrl: ctx.browserUrl,
    // B2C's authority names the tenant by its domain and the sign-up/sign-in user flow.
    authority: ctx.b2c
      ? `${ctx.url}/${domain}/${ctx.b2c.policies.signUpSignIn}`
      : `${ctx.url}/${ctx.tenantId}`,
    graphBaseUrl: `${ctx.url}/v1.0`,
    caFile: certificates.caFile,
    tenantId: ctx.tenantId,
    users: ctx.users,
    clients: ctx.clients,
    apis: ctx.apis,
    tenants: ctx.tenants,
    faults: { add: (fault) => ctx.faults.add(fault), clear: () => ctx.faults.clear() },
    settings: ctx.settings,
    consents: consentAdmin(ctx),
    managedIdentity: {
      endpoint: `${ctx.url}${managedIdentityPath}`,
      header: ctx.credentials.identityHeader,
      identities: ctx.credentials.managedIdentities,
    },
    federatedIssuer: (name) => federatedIssuer(ctx, name),
    close() {
      closed ??= (async () => {
        closing.abort();
        await server.close();
        await app.close();
      })();
      return closed;
    },
  };
}

/** Graph's 400 under /v1.0 (and Graph's userinfo), Entra's JSON error elsewhere. */
function answerFrameworkError(
  ctx: EmulatorContext,
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const path = request.raw.url ?? "";
  if (!(error instanceof errorCodes.FST_ERR_BAD_URL)) {
    return sendEntraError(ctx, request, reply, 400, aadsts.malformedUrl());
  }
  if (/^\/(v1\.0|oidc\/userinfo)(\/|\?|$)/.test(path)) {
    stampRequestIds(request, reply);
    return sendGraphError(ctx, graphErrors.invalidUrl(), request, reply);
  }
  stampEntraRequestId(reply);
  return sendEntraError(ctx, request, reply, 400, aadsts.malformedUrl());
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
