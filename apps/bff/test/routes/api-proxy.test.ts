// /api/<name>/<path>: the proxy's rules, each asserted by what a real upstream received.
import { mkdtempSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrf, json, signIn, useEmulatorAndBff } from "../helpers/bff.ts";
import { setCookies } from "../helpers/cookie-jar.ts";
import { type RecordingUpstream, startRecordingUpstream } from "../helpers/recording-upstream.ts";

let upstream: RecordingUpstream;
const apisFile = join(mkdtempSync(join(tmpdir(), "entra-bff-apis-")), "apis.json");

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  writeFileSync(
    apisFile,
    JSON.stringify({
      apis: {
        echo: {
          baseUrl: `${upstream.origin}/base`,
          scopes: ["User.Read"],
          allow: [
            "GET /items",
            "GET /items/{id}",
            "POST /items",
            "PATCH /items/{id}",
            "DELETE /items/{id}",
            "GET /files/{id}/$value",
          ],
          query: ["$top", "$filter", "$search"],
          requestHeaders: ["ConsistencyLevel"],
          timeoutMs: 1000,
          bodyLimitBytes: 1024,
        },
        bulk: {
          baseUrl: `${upstream.origin}/bulk`,
          scopes: ["User.Read"],
          allow: ["PUT /blobs/{id}"],
          bodyLimitBytes: 512 * 1024,
        },
        admin: {
          baseUrl: `${upstream.origin}/admin`,
          scopes: ["User.Read"],
          allow: ["GET /summary"],
          roles: ["Tasks.Admin"],
        },
        closed: {
          // Nothing listens on port 1: connection refused at once.
          baseUrl: "http://127.0.0.1:1/x",
          scopes: ["User.Read"],
          allow: ["GET /y"],
        },
      },
    }),
  );
});
afterAll(() => upstream?.close());
afterEach(() => upstream.reset());

const servers = useEmulatorAndBff({ env: { DOWNSTREAM_APIS_FILE: apisFile } });

/** Adele holds the app role Tasks.Admin in the emulator's default registration; Alex none. */
const adele = 0;
const alex = 1;

async function signedIn(user = adele): Promise<CookieJar> {
  const jar = new CookieJar();
  expect((await signIn(servers.bff, jar, user)).statusCode).toBe(303);
  return jar;
}

const call = (
  jar: CookieJar | undefined,
  url: string,
  options: {
    method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
    headers?: Record<string, string>;
    payload?: string | Buffer;
  } = {},
) =>
  servers.bff.request(jar, {
    url,
    method: options.method ?? "GET",
    headers: { ...csrf, ...options.headers },
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });

const jwt = /^Bearer eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/;

/** GET with the request target exactly as given, on a raw socket. */
function rawGet(
  port: number,
  target: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const [head = "", ...rest] = data.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body: rest.join("\r\n\r\n") });
    });
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    socket.write(
      [
        `GET ${target} HTTP/1.1`,
        "host: localhost:3000",
        "connection: close",
        ...lines,
        "",
        "",
      ].join("\r\n"),
    );
  });
}

describe("forwarding a declared call", () => {
  it("sends the path under the base URL, the allowed query, and the session's access token", async () => {
    const jar = await signedIn();
    const response = await call(
      jar,
      "/api/echo/items/42?$top=5&%24filter=startswith(name,%27a%27)",
    );
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      method: "GET",
      // As the browser's URL encoder sent it (the quote percent-encoded), not re-encoded.
      url: "/base/items/42?$top=5&%24filter=startswith(name,%27a%27)",
    });
    const [received] = upstream.received;
    expect(received?.headers.authorization).toMatch(jwt);
    expect(received?.headers.host).toBe(new URL(upstream.origin).host);
    expect(received?.headers["client-request-id"]).toBe(response.headers["x-request-id"]);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("passes only allow-listed request headers: never the browser's cookie, authorization or x-csrf", async () => {
    const jar = await signedIn();
    await call(jar, "/api/echo/items", {
      headers: {
        authorization: "Bearer forged-by-the-page",
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-host": "evil.example",
        forwarded: "for=203.0.113.9",
        "accept-encoding": "gzip",
        "user-agent": "browser",
        "x-custom": "nope",
        accept: "application/json",
        "if-none-match": '"v1"',
        prefer: "return=minimal",
        consistencylevel: "eventual",
        origin: "http://localhost:3000",
        referer: "http://localhost:3000/people",
        connection: "x-custom-hop, keep-alive",
        "x-custom-hop": "1",
      },
    });
    const headers = upstream.received[0]!.headers;
    expect(Object.keys(headers).sort()).toEqual(
      [
        "accept",
        "authorization",
        "client-request-id",
        "connection",
        "consistencylevel",
        "host",
        "if-none-match",
        "prefer",
      ].sort(),
    );
    expect(headers.authorization).toMatch(jwt);
    expect(headers.authorization).not.toContain("forged");
    expect(headers.connection).toBe("keep-alive");
  });

  it("never passes the upstream's cookies, CORS or hop-by-hop headers to the browser", async () => {
    const jar = await signedIn();
    upstream.respond((_request, response) => {
      response.writeHead(200, {
        "content-type": "application/json",
        etag: '"v7"',
        "set-cookie": "upstream=1; Path=/",
        "access-control-allow-origin": "*",
        "access-control-allow-credentials": "true",
        "x-powered-by": "upstream",
        "keep-alive": "timeout=5",
        "strict-transport-security": "max-age=1",
        "content-security-policy": "default-src *",
        "www-authenticate": 'Bearer realm="x"',
      });
      response.end('{"ok":true}');
    });
    const response = await call(jar, "/api/echo/items");
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"ok":true}');
    expect(response.headers.etag).toBe('"v7"');
    for (const name of [
      "access-control-allow-origin",
      "access-control-allow-credentials",
      "x-powered-by",
      "keep-alive",
      "strict-transport-security",
      "content-security-policy",
      "www-authenticate",
    ]) {
      expect(response.headers[name], name).toBeUndefined();
    }
    expect(setCookies(response).map((c) => c.name)).not.toContain("upstream");
  });

  it("forwards a JSON body byte for byte, and rewrites a Location under the API to the browser's path", async () => {
    const jar = await signedIn();
    upstream.respond((request, response) => {
      response.writeHead(201, {
        "content-type": "application/json",
        location: `${upstream.origin}/base/items/7`,
      });
      response.end(request.body);
    });
    const body = '{ "title":  "Buy milk", "n": 1.50 }';
    const response = await call(jar, "/api/echo/items", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      payload: body,
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe("/api/echo/items/7");
    const [received] = upstream.received;
    expect(received?.body.toString()).toBe(body);
    expect(received?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(received?.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
  });

  it("drops a Location that points anywhere but under the API", async () => {
    const jar = await signedIn();
    for (const location of ["https://evil.example/x", `${upstream.origin}/other/1`]) {
      upstream.respond((_request, response) => {
        response.writeHead(201, { location });
        response.end();
      });
      const response = await call(jar, "/api/echo/items", { method: "POST", payload: "{}" });
      expect(response.statusCode).toBe(201);
      expect(response.headers.location, location).toBeUndefined();
    }
  });

  it("streams a large request body (announced by Content-Length) through without refusing it", async () => {
    const jar = await signedIn();
    upstream.respond((request, response) => {
      response.writeHead(204, { etag: `"${request.body.length}"` });
      response.end();
    });
    const payload = Buffer.alloc(300 * 1024, 7);
    const response = await call(jar, "/api/bulk/blobs/1", {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      payload,
    });
    expect(response.statusCode).toBe(204);
    expect(upstream.received[0]?.body.equals(payload)).toBe(true);
  });
});

describe("refused before the upstream sees anything", () => {
  it("without X-CSRF: 403 csrf_required", async () => {
    const jar = await signedIn();
    const response = await servers.bff.request(jar, {
      url: "/api/echo/items",
      method: "POST",
      payload: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(403);
    expect(json(response).code).toBe("csrf_required");
    expect(upstream.received).toEqual([]);
  });

  it("from another origin, or a cross-site or same-site fetch: 403 cross_site_request", async () => {
    const jar = await signedIn();
    for (const headers of <Record<string, string>[]>[
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ]) {
      const response = await call(jar, "/api/echo/items", { headers });
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(json(response).code).toBe("cross_site_request");
    }
    expect(
      (await call(jar, "/api/echo/items", { headers: { "sec-fetch-site": "same-origin" } }))
        .statusCode,
    ).toBe(200);
    expect(upstream.received).toHaveLength(1);
  });

  it("without a session: 401 not_authenticated", async () => {
    const response = await call(undefined, "/api/echo/items");
    expect(response.statusCode).toBe(401);
    expect(json(response).code).toBe("not_authenticated");
    expect(upstream.received).toEqual([]);
  });

  it("a method or path the declaration does not allow, or an undeclared API: 404 JSON", async () => {
    const jar = await signedIn();
    for (const [method, url] of [
      ["GET", "/api/echo"],
      ["GET", "/api/echo/"],
      ["GET", "/api/echo/other"],
      ["GET", "/api/echo/items/42/more"],
      ["DELETE", "/api/echo/items"],
      ["PUT", "/api/echo/items/1"],
      ["GET", "/api/echo/ITEMS"],
      ["GET", "/api/nope/items"],
      ["GET", "/api/ech%6f/items"],
      ["GET", "/api/me/photo"],
      ["GET", "/api/echo/files/1/value"],
    ] as const) {
      const response = await call(jar, url, { method });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(json(response).code).toBe("not_found");
    }
    expect(upstream.received).toEqual([]);
  });

  it("path traversal in any spelling: 400 or 404, judged after decoding", async () => {
    const jar = await signedIn();
    // Over a raw socket: an HTTP client library would normalise some of these before sending.
    await servers.bff.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = servers.bff.app.server.address() as AddressInfo;
    for (const url of [
      "/api/echo/items/..",
      "/api/echo/items/../../admin/summary",
      "/api/echo/items/%2e%2e",
      "/api/echo/items/%2E%2e/x",
      "/api/echo/items/.",
      "/api/echo/./items",
      "/api/echo/items/a%2fb",
      "/api/echo/items/a%2Fb",
      "/api/echo/items/a%5cb",
      "/api/echo/items/a\\b",
      "/api/echo//items",
      "/api/echo/items//1",
      "/api/echo/items/%252e%252e",
      "/api/echo/items/%25252e",
      "/api/echo/items/%00",
      "/api/echo/items/%0d%0aX-Injected:%201",
      "/api/echo/items/%zz",
      "/api/echo/items/%c0%ae%c0%ae",
    ]) {
      const response = await rawGet(port, url, { ...csrf, ...jar.headers() });
      expect([400, 404], url).toContain(response.status);
      expect(JSON.parse(response.body).code, url).toMatch(/^(bad_request|not_found)$/);
    }
    expect(upstream.received).toEqual([]);
  });

  it("a query parameter the declaration does not name: 400 bad_request", async () => {
    const jar = await signedIn();
    for (const url of [
      "/api/echo/items?$expand=manager",
      "/api/echo/items?$top=1&api-version=2",
      "/api/echo/items?%24expand=x",
      "/api/echo/items?top=1",
    ]) {
      const response = await call(jar, url);
      expect(response.statusCode, url).toBe(400);
      expect(json(response).code).toBe("bad_request");
    }
    expect(upstream.received).toEqual([]);
  });

  it("a body over the API's limit: 413 payload_too_large, by Content-Length or as it arrives", async () => {
    const jar = await signedIn();
    const response = await call(jar, "/api/echo/items", {
      method: "POST",
      headers: { "content-type": "application/json" },
      payload: "x".repeat(2000),
    });
    expect(response.statusCode).toBe(413);
    expect(json(response).code).toBe("payload_too_large");
    expect(upstream.received).toEqual([]);
  });

  it("an API that needs an app role the user lacks: 403 forbidden naming the role", async () => {
    const withRole = await signedIn(adele);
    expect((await call(withRole, "/api/admin/summary")).statusCode).toBe(200);
    expect(upstream.received).toHaveLength(1);

    const withoutRole = await signedIn(alex);
    const response = await call(withoutRole, "/api/admin/summary");
    expect(response.statusCode).toBe(403);
    expect(json(response)).toEqual({
      code: "forbidden",
      message: expect.stringContaining('"Tasks.Admin"'),
    });
    expect(upstream.received).toHaveLength(1);
  });
});

describe("the upstream's answers", () => {
  const answer = (status: number, headers: Record<string, string> = {}, body = "") =>
    upstream.respond((_request, response) => {
      response.writeHead(status, headers);
      response.end(body);
    });

  it("404, 409, 412 and other client errors pass through with their body", async () => {
    const jar = await signedIn();
    for (const status of [400, 404, 409, 412, 422]) {
      answer(status, { "content-type": "application/json" }, `{"code":"upstream_${status}"}`);
      const response = await call(jar, "/api/echo/items/1");
      expect(response.statusCode).toBe(status);
      expect(json(response).code).toBe(`upstream_${status}`);
    }
  });

  it("403 becomes 403 forbidden", async () => {
    const jar = await signedIn();
    answer(403, { "content-type": "application/json" }, '{"error":{"code":"Denied"}}');
    const response = await call(jar, "/api/echo/items");
    expect(response.statusCode).toBe(403);
    expect(json(response).code).toBe("forbidden");
  });

  it("429 and 503 become 503 upstream_unavailable with Retry-After; other 5xx and redirects 502", async () => {
    const jar = await signedIn();
    answer(429, { "retry-after": "7" });
    let response = await call(jar, "/api/echo/items");
    expect([response.statusCode, json(response).code, response.headers["retry-after"]]).toEqual([
      503,
      "upstream_unavailable",
      "7",
    ]);
    answer(503);
    response = await call(jar, "/api/echo/items");
    expect([response.statusCode, json(response).code, response.headers["retry-after"]]).toEqual([
      503,
      "upstream_unavailable",
      "5",
    ]);
    for (const [status, headers] of [
      [500, {}],
      [502, {}],
      [302, { location: "https://login.example/elsewhere" }],
    ] as const) {
      answer(status, headers, "<html>upstream page</html>");
      response = await call(jar, "/api/echo/items");
      expect(response.statusCode, String(status)).toBe(502);
      expect(json(response).code).toBe("upstream_error");
      expect(response.headers.location).toBeUndefined();
      expect(response.body).not.toContain("upstream page");
    }
  });

  it("no answer within timeoutMs: 504 upstream_timeout, never a hang", async () => {
    const jar = await signedIn();
    upstream.respond(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      response.end();
    });
    const response = await call(jar, "/api/echo/items");
    expect(response.statusCode).toBe(504);
    expect(json(response).code).toBe("upstream_timeout");
  });

  it("unreachable: 503 upstream_unavailable with Retry-After", async () => {
    const jar = await signedIn();
    const response = await call(jar, "/api/closed/y");
    expect(response.statusCode).toBe(503);
    expect(json(response).code).toBe("upstream_unavailable");
    expect(response.headers["retry-after"]).toBe("5");
  });

  it("401: renews the token once and retries with the new one", async () => {
    const jar = await signedIn();
    let calls = 0;
    upstream.respond((_request, response) => {
      calls += 1;
      response.writeHead(calls === 1 ? 401 : 200, { "content-type": "application/json" });
      response.end(calls === 1 ? '{"error":"invalid_token"}' : '{"ok":true}');
    });
    const response = await call(jar, "/api/echo/items");
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ ok: true });
    const [first, second] = upstream.received;
    expect(second?.headers.authorization).toMatch(jwt);
    expect(second?.headers.authorization).not.toBe(first?.headers.authorization);
  });

  it("401 for a freshly renewed token too: 502 upstream_error", async () => {
    const jar = await signedIn();
    answer(401, { "www-authenticate": 'Bearer error="invalid_token"' });
    const response = await call(jar, "/api/echo/items");
    expect(response.statusCode).toBe(502);
    expect(json(response).code).toBe("upstream_error");
    expect(upstream.received).toHaveLength(2);
  });

  it("a persistent CAE claims challenge: 401 claims_challenge with a loginUrl carrying the claims", async () => {
    const jar = await signedIn();
    const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
    answer(401, {
      "www-authenticate": `Bearer realm="", error="insufficient_claims", claims="${Buffer.from(claims).toString("base64")}"`,
    });
    const response = await call(jar, "/api/echo/items", {
      headers: { referer: "http://localhost:3000/people?q=ad" },
    });
    expect(response.statusCode).toBe(401);
    const body = json<{ code: string; loginUrl: string }>(response);
    expect(body.code).toBe("claims_challenge");
    const loginUrl = new URL(body.loginUrl, "http://localhost:3000");
    expect(loginUrl.searchParams.get("returnTo")).toBe("/people?q=ad");
    expect(Buffer.from(loginUrl.searchParams.get("claims")!, "base64url").toString()).toBe(claims);
    // The session is kept.
    expect(json(await servers.bff.request(jar, { url: "/auth/session" })).authenticated).toBe(true);
  });
});
