/** createEmulator: the Entra ID v2.0 + Graph /me emulator as one Fastify app on one port. */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createServer } from "node:http";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import Fastify from "fastify";
import { ConsentStore, consentAdmin } from "./consents.ts";
import type { EmulatorContext } from "./context.ts";
import { defaultClient, defaultTenantId, defaultUsers } from "./defaults.ts";
import { ensureDevCertificates } from "./dev-certificates.ts";
import { createDualProtocolServer } from "./dual-protocol-server.ts";
import { FaultRegistry } from "./faults.ts";
import { adminRoutes } from "./routes/admin.ts";
import { authorizeRoutes } from "./routes/authorize.ts";
import { discoveryRoutes } from "./routes/discovery.ts";
import { graphRoutes } from "./routes/graph.ts";
import { logoutRoutes } from "./routes/logout.ts";
import { tokenRoutes } from "./routes/token.ts";
import { createSigningKey } from "./signing-key.ts";
import type { Emulator, EmulatorOptions } from "./types.ts";

type Handler = RequestListener<typeof IncomingMessage, typeof ServerResponse>;

/**
 * Starts an emulator and resolves once it listens. Does not touch `NODE_EXTRA_CA_CERTS`:
 * Node reads it only at process start, so the caller (vitest config, `pnpm dev`) sets it
 * for the processes that will call the https endpoints.
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const certificates = await ensureDevCertificates({
    dir: options.certDir,
    hostnames: options.hostnames,
  });
  const [key, cert, signingKey] = await Promise.all([
    readFile(certificates.keyFile, "utf8"),
    readFile(certificates.certFile, "utf8"),
    createSigningKey(),
  ]);

  let handler: Handler | undefined;
  // Fastify never listens itself: the dual-protocol server feeds it both kinds of connection.
  const app = Fastify({
    logger: false,
    serverFactory: (h) => {
      handler = h;
      return createServer(h);
    },
  });
  const closing = new AbortController();
  const ctx: EmulatorContext = {
    url: "",
    browserUrl: "",
    tenantId: options.tenantId ?? defaultTenantId,
    users: options.users ?? defaultUsers,
    clients: options.clients ?? [defaultClient],
    settings: { accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600 },
    faults: new FaultRegistry(),
    key: signingKey,
    now: options.now ?? Date.now,
    closing: closing.signal,
    transactions: new Map(),
    pendingConsents: new Map(),
    consents: new ConsentStore(),
    codes: new Map(),
    refreshTokens: new Map(),
    sessions: new Map(),
  };

  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  discoveryRoutes(app, ctx);
  authorizeRoutes(app, ctx);
  tokenRoutes(app, ctx);
  logoutRoutes(app, ctx);
  graphRoutes(app, ctx);
  if (options.adminApi !== false) adminRoutes(app, ctx);
  await app.ready();

  const server = createDualProtocolServer(handler!, { key, cert });
  const address = await server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  ctx.url = trimSlash(options.backchannelUrl ?? `https://localhost:${address.port}`);
  ctx.browserUrl = trimSlash(options.browserUrl ?? `http://localhost:${address.port}`);

  let closed: Promise<void> | undefined;
  return {
    url: ctx.url,
    browserUrl: ctx.browserUrl,
    authority: `${ctx.url}/${ctx.tenantId}`,
    graphBaseUrl: `${ctx.url}/v1.0`,
    caFile: certificates.caFile,
    tenantId: ctx.tenantId,
    users: ctx.users,
    clients: ctx.clients,
    faults: { add: (fault) => ctx.faults.add(fault), clear: () => ctx.faults.clear() },
    settings: ctx.settings,
    consents: consentAdmin(ctx),
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

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
