import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import type { CookieCodec } from "../../src/session/cookie-codec.ts";
import { cookieNames, maxCookieBytes } from "../../src/session/cookies.ts";
import { createTokenStore, type TokenSet } from "../../src/session/token-store.ts";
import { CookieJar, setCookies } from "../helpers/cookie-jar.ts";

// The token cookies on the real app's keys and cookie plugin, with refresh tokens of any
// size. Real Entra refresh tokens are ~1–1.8 KB; access tokens are not in cookies at all.

const config = loadConfig({
  ENTRA_AUTHORITY: "https://login.example.test/tenant",
  ENTRA_CLIENT_ID: "client",
  ENTRA_CLIENT_SECRET: "dev-only-secret",
  PUBLIC_ORIGIN: "https://app.contoso.example",
  SESSION_KEYS: randomBytes(32).toString("base64"),
});
const names = cookieNames(config);
const absoluteExpiresAt = Date.now() + 3600_000;
let app: FastifyInstance;
let codec: CookieCodec;
let pending: TokenSet;

const token = (length: number) => randomBytes(length).toString("base64url").slice(0, length);

beforeAll(async () => {
  app = await buildApp(config, { logger: false });
  codec = app.cookieCodec;
  const store = createTokenStore(config, names, codec);
  app.get("/test/write", async (_request, reply) => {
    store.write(reply, pending, absoluteExpiresAt, Date.now());
    return {};
  });
  app.get("/test/read", async (request, reply) => ({
    tokens: store.read(request, reply, { sid: "sid-1", absoluteExpiresAt }, Date.now()) ?? null,
  }));
});
afterAll(() => app.close());

async function roundTrip(tokens: TokenSet, jar = new CookieJar()) {
  pending = tokens;
  const written = await app.inject({ url: "/test/write" });
  expect(written.statusCode).toBe(200);
  const cookies = setCookies(written);
  jar.store(written);
  const read = await app.inject({ url: "/test/read", headers: jar.headers() });
  return { cookies, jar, read: read.json().tokens as TokenSet | null };
}

const tokens = (rt: number): TokenSet => ({
  sid: "sid-1",
  refreshToken: token(rt),
  scopes: ["User.Read", "api://00000000-0000-0000-0000-00000007a5c5/Tasks.ReadWrite"],
});

describe("token cookies", () => {
  it("fit a typical Entra refresh token in one cookie within 4096 bytes", async () => {
    const set = tokens(1800);
    const { cookies, jar, read } = await roundTrip(set);
    expect(read).toEqual(set);
    const live = cookies.filter((c) => c.value !== "");
    expect(live.length).toBe(1);
    for (const cookie of cookies)
      expect(Buffer.byteLength(cookie.line)).toBeLessThanOrEqual(maxCookieBytes);
    expect(jar.names().every((name) => name.startsWith("__Host-bff-token-"))).toBe(true);
  });

  it("split a large refresh token across three cookies and clear chunks a smaller set no longer uses", async () => {
    const large = tokens(8000);
    const first = await roundTrip(large);
    expect(first.read).toEqual(large);
    expect(first.jar.names()).toEqual([
      "__Host-bff-token-0",
      "__Host-bff-token-1",
      "__Host-bff-token-2",
    ]);
    for (const cookie of first.cookies)
      expect(Buffer.byteLength(cookie.line)).toBeLessThanOrEqual(maxCookieBytes);

    const small = tokens(800);
    const second = await roundTrip(small, first.jar);
    expect(second.read).toEqual(small);
    expect(second.jar.names()).toEqual(["__Host-bff-token-0"]);
  });

  it("read the earlier format (with an access token inside) and re-issue it without", async () => {
    const refreshToken = token(900);
    const earlier = codec.seal({
      v: 1,
      typ: "tokens",
      sid: "sid-1",
      rt: refreshToken,
      at: token(2500),
      exp: absoluteExpiresAt - 1000,
      scp: "User.Read",
    });
    const jar = new CookieJar([["__Host-bff-token-0", earlier]]);
    const read = await app.inject({ url: "/test/read", headers: jar.headers() });
    expect(read.json().tokens).toEqual({ sid: "sid-1", refreshToken, scopes: ["User.Read"] });
    const reissued = setCookies(read).find((c) => c.name === "__Host-bff-token-0");
    expect(reissued?.value.length).toBeLessThan(earlier.length / 2);
  });

  it("refuse a refresh token that cannot fit at all", async () => {
    pending = tokens(12_000);
    const response = await app.inject({ url: "/test/write" });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      code: "internal_error",
      message: expect.stringMatching(/^Something went wrong on our side\. Request id: /),
    });
  });

  it("ignore chunks out of order", async () => {
    const { jar } = await roundTrip(tokens(8000));
    const [a, b] = [jar.cookies.get("__Host-bff-token-0")!, jar.cookies.get("__Host-bff-token-1")!];
    jar.cookies.set("__Host-bff-token-0", b);
    jar.cookies.set("__Host-bff-token-1", a);
    const read = await app.inject({ url: "/test/read", headers: jar.headers() });
    expect(read.json()).toEqual({ tokens: null });
  });
});
