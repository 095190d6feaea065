/**
 * Issuers of federated credentials (workload identity federation): ones the emulator hosts
 * for tests, shaped like a Kubernetes service-account issuer, and the keys of any other
 * OIDC issuer, found through its discovery document as Entra finds them.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
  SignJWT,
} from "jose";
import type { EmulatorContext } from "./context.ts";
import type { FederatedIssuer, FederatedTokenOptions } from "./types.ts";

/** The audience Entra expects in a federated token unless the credential names another. */
export const tokenExchangeAudience = "api://AzureADTokenExchange";

export interface HostedIssuer {
  name: string;
  /** The first signs; all are published. */
  keys: IssuerKey[];
}

interface IssuerKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

const issuerName = /^[a-z0-9-]{1,40}$/;
const discoveryTimeoutMs = 5000;
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The discovery or keys of an issuer could not be read: Entra's AADSTS501661. */
export class IssuerUnavailableError extends Error {}

export function hostedIssuerUrl(ctx: EmulatorContext, name: string): string {
  return `${ctx.url}/_federated/${name}`;
}

/** `emulator.federatedIssuer(name)`: creates the issuer on first use. */
export function federatedIssuer(ctx: EmulatorContext, name = "default"): FederatedIssuer {
  if (!issuerName.test(name)) {
    throw new TypeError(`a federated issuer name must match ${issuerName} (got "${name}")`);
  }
  let hosted = ctx.credentials.hostedIssuers.get(name);
  if (!hosted) {
    hosted = { name, keys: [] };
    ctx.credentials.hostedIssuers.set(name, hosted);
  }
  const state = hosted;
  const issuer = hostedIssuerUrl(ctx, name);
  return {
    issuer,
    async mint(options: FederatedTokenOptions) {
      if (typeof options?.subject !== "string" || options.subject === "") {
        throw new TypeError("mint({ subject }) needs the token's subject");
      }
      const lifetime = options.lifetimeSeconds ?? 3600;
      if (!Number.isInteger(lifetime) || lifetime <= 0) {
        throw new TypeError("lifetimeSeconds must be a positive integer");
      }
      if (state.keys.length === 0) state.keys.unshift(await newIssuerKey());
      const key = state.keys[0]!;
      const iat = Math.floor(ctx.now() / 1000);
      // A Kubernetes projected service-account token's claims, in its order.
      const claims = {
        aud: options.audience ?? [tokenExchangeAudience],
        exp: iat + lifetime,
        iat,
        iss: issuer,
        jti: randomUUID(),
        nbf: iat,
        sub: options.subject,
        ...options.claims,
      };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
        .sign(key.privateKey);
    },
    async rotateKey() {
      state.keys = [await newIssuerKey()];
    },
  };
}

async function newIssuerKey(): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" },
  };
}

/** Discovery and JWKS of the hosted issuers, at Kubernetes' paths. */
export function federatedIssuerRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  const find = (name: string) => ctx.credentials.hostedIssuers.get(name);
  const notFound = { code: "unknown_issuer", message: "No federated issuer of that name." };

  app.get<{ Params: { name: string } }>(
    "/_federated/:name/.well-known/openid-configuration",
    async (request, reply) => {
      if (!find(request.params.name)) return reply.code(404).send(notFound);
      const issuer = hostedIssuerUrl(ctx, request.params.name);
      return {
        issuer,
        jwks_uri: `${issuer}/openid/v1/jwks`,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      };
    },
  );

  app.get<{ Params: { name: string } }>(
    "/_federated/:name/openid/v1/jwks",
    async (request, reply) => {
      const hosted = find(request.params.name);
      if (!hosted) return reply.code(404).send(notFound);
      return { keys: hosted.keys.map((key) => key.jwk) };
    },
  );
}

/**
 * The keys that sign `issuer`'s tokens: a hosted issuer's current keys, or those its
 * discovery document's `jwks_uri` publishes (cached; refetched when a `kid` is unknown).
 * Throws `IssuerUnavailableError` when the discovery document cannot be used.
 */
export async function issuerKeys(ctx: EmulatorContext, issuer: string): Promise<JWTVerifyGetKey> {
  const hostedPrefix = `${ctx.url}/_federated/`;
  if (issuer.startsWith(hostedPrefix)) {
    const hosted = ctx.credentials.hostedIssuers.get(issuer.slice(hostedPrefix.length));
    if (hosted) return createLocalJWKSet({ keys: hosted.keys.map((key) => key.jwk) });
  }
  const cached = ctx.credentials.remoteIssuerKeys.get(issuer);
  if (cached) return cached;
  const keys = createRemoteJWKSet(await discoverJwksUri(issuer), {
    timeoutDuration: discoveryTimeoutMs,
  });
  ctx.credentials.remoteIssuerKeys.set(issuer, keys);
  return keys;
}

async function discoverJwksUri(issuer: string): Promise<URL> {
  const issuerUrl = safeUrl(issuer, "the issuer");
  const discovery = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(discovery, {
      redirect: "error",
      signal: AbortSignal.timeout(discoveryTimeoutMs),
    });
    if (!response.ok) {
      throw new IssuerUnavailableError(`${discovery} answered HTTP ${response.status}`);
    }
    document = (await response.json()) as typeof document;
  } catch (error) {
    if (error instanceof IssuerUnavailableError) throw error;
    throw new IssuerUnavailableError(`${discovery} failed: ${(error as Error).message}`);
  }
  // The document must speak for the issuer that signed the token (OIDC Discovery 4.3).
  if (document.issuer !== issuer) {
    throw new IssuerUnavailableError(
      `${discovery} names the issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(issuerUrl.href)}`,
    );
  }
  if (typeof document.jwks_uri !== "string") {
    throw new IssuerUnavailableError(`${discovery} has no jwks_uri`);
  }
  return safeUrl(document.jwks_uri, "jwks_uri");
}

/** https, or plain http to this machine only (a test's own issuer). */
function safeUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new IssuerUnavailableError(`${what} ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.has(url.hostname))) {
    throw new IssuerUnavailableError(`${what} ${url.href} must be https`);
  }
  return url;
}
