// A real local HTTP server publishing a JSON Web Key Set, and tokens signed with its keys.
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  jwk: JWK;
}

export async function createSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: "sig" } };
}

export interface JwksServer {
  url: string;
  keys: SigningKey[];
  requests: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const state = { keys, requests: 0 };
  const server: Server = createServer((_request, response) => {
    state.requests++;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ keys: state.keys.map((key) => key.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/discovery/v2.0/keys`,
    get keys() {
      return state.keys;
    },
    set keys(value) {
      state.keys = value;
    },
    get requests() {
      return state.requests;
    },
    set requests(value) {
      state.requests = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function signIdToken(
  key: SigningKey,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid, ...header })
    .sign(key.privateKey);
}

/** `alg: none`: an unsigned token, as an attacker would send it. */
export function unsignedToken(payload: JWTPayload): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(payload)}.`;
}
