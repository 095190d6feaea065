// A real local https token issuer with keys generated per run: discovery and JWKS at Entra's
// v2.0 paths, and tokens with any claims a test needs (the emulator only mints honest ones).
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { ensureDevCertificates } from "@entra-bff/entra-emulator";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function createTestKey(kid: string, extra: Partial<JWK> = {}): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: "sig", ...extra } };
}

export interface TestAuthority {
  /** `https://localhost:<port>/<tenant>` (or `/organizations`). */
  authority: string;
  /** The issuer tokens of `tenantId` carry. */
  issuerFor(tenantId: string): string;
  keys: TestKey[];
  /** How many times the JWKS was fetched. */
  jwksRequests: number;
  /** Set to make the JWKS endpoint answer 503. */
  jwksDown: boolean;
  sign(
    payload: JWTPayload,
    options?: { key?: TestKey; header?: Record<string, unknown> },
  ): Promise<string>;
  close(): Promise<void>;
}

/**
 * `tenant` is a tenant id (single-tenant authority: fixed issuer) or `organizations`
 * (issuer template `{tenantid}`, as Entra publishes for multi-tenant authorities).
 */
export async function startTestAuthority(tenant: string): Promise<TestAuthority> {
  const certificates = await ensureDevCertificates();
  const [key, cert] = await Promise.all([
    readFile(certificates.keyFile, "utf8"),
    readFile(certificates.certFile, "utf8"),
  ]);
  const state = { keys: [await createTestKey("test-key-1")], jwksRequests: 0, jwksDown: false };
  let base = "";
  const issuerTemplate = () => `${base}/${tenant === "organizations" ? "{tenantid}" : tenant}/v2.0`;
  const server: Server = createServer({ key, cert }, (request, response) => {
    response.setHeader("content-type", "application/json");
    if (request.url === `/${tenant}/v2.0/.well-known/openid-configuration`) {
      response.end(
        JSON.stringify({
          issuer: issuerTemplate(),
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        }),
      );
      return;
    }
    if (request.url === `/${tenant}/discovery/v2.0/keys`) {
      state.jwksRequests++;
      if (state.jwksDown) {
        response.statusCode = 503;
        response.end("{}");
        return;
      }
      response.end(
        JSON.stringify({ keys: state.keys.map((k) => ({ issuer: issuerTemplate(), ...k.jwk })) }),
      );
      return;
    }
    response.statusCode = 404;
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://localhost:${(server.address() as { port: number }).port}`;

  return {
    authority: `${base}/${tenant}`,
    issuerFor: (tenantId) => `${base}/${tenantId}/v2.0`,
    get keys() {
      return state.keys;
    },
    set keys(value) {
      state.keys = value;
    },
    get jwksRequests() {
      return state.jwksRequests;
    },
    get jwksDown() {
      return state.jwksDown;
    },
    set jwksDown(value) {
      state.jwksDown = value;
    },
    sign(payload, options = {}) {
      const signingKey = options.key ?? state.keys[0]!;
      return new SignJWT(payload)
        .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: signingKey.kid, ...options.header })
        .sign(signingKey.privateKey);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `alg: none`: an unsigned token, as an attacker would send it. */
export function unsignedToken(payload: JWTPayload): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(payload)}.`;
}

/** HS256 with a key the attacker picked (e.g. the RSA public key's bytes: "key confusion"). */
export function hmacToken(payload: JWTPayload, secret: Uint8Array, kid?: string): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ typ: "JWT", alg: "HS256", ...(kid ? { kid } : {}) })
    .sign(secret);
}
