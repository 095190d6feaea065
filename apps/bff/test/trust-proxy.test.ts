import { createEmulator, type Emulator, signInAs } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, startBff, type TestBff } from "./helpers/bff.ts";
import { setCookies } from "./helpers/cookie-jar.ts";

// A TLS-terminating proxy at 10.0.0.1 forwards the browser's https request as plain http.
const publicOrigin = "https://app.contoso.example";
const proxyAddress = "10.0.0.1";
const forwarded = {
  host: "bff.internal:3000",
  "x-forwarded-proto": "https",
  "x-forwarded-host": "app.contoso.example",
  "x-forwarded-for": "198.51.100.9, 203.0.113.7",
};

let emulator: Emulator;
const started: TestBff[] = [];

beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    clients: [
      {
        clientId: "00000000-0000-0000-0000-0000000070c5",
        clientSecret: "dev-only-proxy-test-secret",
        redirectUris: [`${publicOrigin}/auth/callback`],
      },
    ],
  });
});
afterAll(async () => {
  for (const bff of started) await bff.close();
  await emulator?.close();
});

async function behindProxy(trustProxy: string | undefined): Promise<TestBff> {
  const bff = await startBff(emulator, { PUBLIC_ORIGIN: publicOrigin, TRUST_PROXY: trustProxy });
  started.push(bff);
  return bff;
}

let requestCount = 0;

/** Sends a request as the proxy would, and returns it with the app's access-log line. */
async function viaProxy(
  bff: TestBff,
  jar: CookieJar,
  url: string,
  remoteAddress = proxyAddress,
  headers: Record<string, string> = forwarded,
) {
  const requestId = `proxy-test-${++requestCount}`;
  const response = await bff.app.inject({
    url,
    remoteAddress,
    headers: { ...headers, ...jar.headers(), "x-request-id": requestId },
  });
  jar.store(response);
  expect(response.headers["x-request-id"]).toBe(requestId);
  const line = bff.logs
    .map((text) => JSON.parse(text) as { reqId?: string; msg: string; req?: unknown })
    .find((entry) => entry.reqId === requestId && entry.msg === "request completed");
  return { response, req: line?.req as Record<string, unknown> };
}

describe("TRUST_PROXY set", () => {
  it("takes the client address, scheme and host from X-Forwarded-*; the sign-in is https end to end", async () => {
    const bff = await behindProxy("true");
    const jar = new CookieJar();

    const login = await viaProxy(bff, jar, "/auth/login");
    expect(login.req).toMatchObject({
      remoteAddress: "198.51.100.9",
      protocol: "https",
      host: "app.contoso.example",
    });
    expect(login.response.statusCode).toBe(302);
    const authorize = new URL(String(login.response.headers.location));
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${publicOrigin}/auth/callback`);
    const [transaction] = setCookies(login.response);
    expect(transaction!.name).toMatch(/^__Host-bff-tx-/);
    expect(transaction!.attributes.get("secure")).toBe(true);

    const callback = new URL((await signInAs(authorize.href, 0)).location);
    expect(callback.origin).toBe(publicOrigin);
    const signedIn = await viaProxy(bff, jar, `${callback.pathname}${callback.search}`);
    expect(signedIn.response.statusCode).toBe(303);
    expect(signedIn.response.headers.location).toBe(`${publicOrigin}/`);
    const cookies = setCookies(signedIn.response).filter((c) => c.value !== "");
    expect(cookies.map((c) => c.name)).toContain("__Host-bff-session");
    for (const cookie of cookies) {
      expect(cookie.name).toMatch(/^__Host-/);
      expect(cookie.attributes.get("secure")).toBe(true);
      expect(cookie.attributes.get("path")).toBe("/");
      expect(cookie.attributes.has("domain")).toBe(false);
    }

    const session = await viaProxy(bff, jar, "/auth/session");
    expect(JSON.parse(session.response.body)).toMatchObject({ authenticated: true });
  });

  it("TRUST_PROXY=<n> trusts only the nearest n hops of X-Forwarded-For", async () => {
    const bff = await behindProxy("1");
    const { req } = await viaProxy(bff, new CookieJar(), "/auth/session");
    // 10.0.0.1 is the one trusted hop; the address it saw is the client's, not the
    // left-most entry a client could have written itself.
    expect(req).toMatchObject({ remoteAddress: "203.0.113.7", protocol: "https" });
  });

  it("TRUST_PROXY=<address list> ignores the headers from any other peer", async () => {
    const bff = await behindProxy("10.0.0.0/8");
    const trusted = await viaProxy(bff, new CookieJar(), "/auth/session");
    // Walks X-Forwarded-For from the right while the hop is trusted: 203.0.113.7 is not.
    expect(trusted.req).toMatchObject({ remoteAddress: "203.0.113.7", protocol: "https" });
    const direct = await viaProxy(bff, new CookieJar(), "/auth/session", "192.0.2.44");
    expect(direct.req).toMatchObject({
      remoteAddress: "192.0.2.44",
      protocol: "http",
      host: "bff.internal",
    });
  });
});

describe("TRUST_PROXY not set", () => {
  it("ignores X-Forwarded-*: the socket's address and scheme; cookies and redirect_uri still follow PUBLIC_ORIGIN", async () => {
    const bff = await behindProxy(undefined);
    expect(bff.config.trustProxy).toBe(false);
    const login = await viaProxy(bff, new CookieJar(), "/auth/login");
    expect(login.req).toMatchObject({
      remoteAddress: proxyAddress,
      protocol: "http",
      host: "bff.internal",
    });
    const authorize = new URL(String(login.response.headers.location));
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${publicOrigin}/auth/callback`);
    const [transaction] = setCookies(login.response);
    expect(transaction!.name).toMatch(/^__Host-bff-tx-/);
    expect(transaction!.attributes.get("secure")).toBe(true);
  });
});
