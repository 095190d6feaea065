import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { contentSecurityPolicy, staticSpa } from "../../src/plugins/static-spa.ts";

const indexHtml =
  '<!doctype html><html><head><script type="module" src="/assets/index-B2x9f0aQ.js"></script></head><body><div id="root"></div></body></html>';
const html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "static-spa-"));
  await mkdir(join(root, "assets"));
  await writeFile(join(root, "index.html"), indexHtml);
  await writeFile(join(root, "assets", "index-B2x9f0aQ.js"), "console.log('app');");
  await writeFile(join(root, "assets", "index-Cq1dZ7uE.css"), "body{margin:0}");
  await writeFile(join(root, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  await writeFile(join(root, ".env"), "SECRET=dev-only-not-served");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The SPA plugin on a bare Fastify, beside an /api scope with its own JSON 404 like app.ts. */
async function build(options: { hsts?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get("/healthz", async () => ({ status: "ok" }));
  await app.register(
    async (api) => {
      api.get("/me", async () => ({ id: "1" }));
      api.setNotFoundHandler(async (_request, reply) =>
        reply.code(404).send({ code: "not_found", message: "api scope" }),
      );
    },
    { prefix: "/api" },
  );
  await app.register(staticSpa, { root, ...options });
  await app.ready();
  return app;
}

function expectSecurityHeaders(headers: Record<string, unknown>) {
  expect(headers["content-security-policy"]).toBe(
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["cross-origin-opener-policy"]).toBe("same-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
}

describe("staticSpa", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build();
  });
  afterAll(async () => {
    await app.close();
  });

  test("index.html is never cached and carries the security headers", async () => {
    const response = await app.inject({ url: "/", headers: { accept: html } });

    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["strict-transport-security"]).toBeUndefined();
    expectSecurityHeaders(response.headers);
    expect(response.body).toBe(indexHtml);
  });

  test("hashed assets are cached for a year, immutably", async () => {
    const script = await app.inject({ url: "/assets/index-B2x9f0aQ.js" });
    const style = await app.inject({ url: "/assets/index-Cq1dZ7uE.css" });

    expect(script.statusCode).toBe(200);
    expect(script.headers["content-type"]).toMatch(/^text\/javascript|^application\/javascript/);
    expect(script.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expectSecurityHeaders(script.headers);
    expect(style.headers["content-type"]).toMatch(/^text\/css/);
    expect(style.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  test("a revalidated asset (304) keeps its headers", async () => {
    const first = await app.inject({ url: "/assets/index-B2x9f0aQ.js" });
    const again = await app.inject({
      url: "/assets/index-B2x9f0aQ.js",
      headers: { "if-none-match": String(first.headers.etag) },
    });

    expect(again.statusCode).toBe(304);
    expect(again.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expectSecurityHeaders(again.headers);
  });

  test("unhashed public files are revalidated", async () => {
    const response = await app.inject({ url: "/favicon.svg" });

    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-cache");
    expectSecurityHeaders(response.headers);
  });

  test("client-side routes fall back to index.html, query string and all", async () => {
    for (const url of ["/some/deep/path?x=1", "/profile", "/users/adele.vance"]) {
      const response = await app.inject({ url, headers: { accept: html } });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(indexHtml);
      expect(response.headers["cache-control"], url).toBe("no-store");
      expectSecurityHeaders(response.headers);
    }

    const head = await app.inject({ method: "HEAD", url: "/some/page", headers: { accept: html } });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-type"]).toMatch(/^text\/html/);
  });

  test("a missing asset is a JSON 404, not the page", async () => {
    const response = await app.inject({ url: "/assets/index-gone.js", headers: { accept: "*/*" } });

    expect(response.statusCode).toBe(404);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.json()).toEqual({
      code: "not_found",
      message: "No route GET /assets/index-gone.js.",
    });
    expectSecurityHeaders(response.headers);
  });

  test("server paths never fall back to the page, even for a browser", async () => {
    for (const url of ["/auth/nope", "/auth", "/healthz/x", "/readyz", "/apis-are-not-api"]) {
      const response = await app.inject({ url, headers: { accept: html } });
      if (url === "/apis-are-not-api") {
        expect(response.statusCode, url).toBe(200);
        continue;
      }
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ code: "not_found" });
    }

    // Prefixes with their own 404 handler keep it.
    const api = await app.inject({ url: "/api/unknown", headers: { accept: html } });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ code: "not_found", message: "api scope" });
    // Real routes are untouched.
    expect((await app.inject({ url: "/api/me" })).json()).toEqual({ id: "1" });
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
  });

  test("only GET and HEAD page navigations fall back", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/some/page",
      headers: { accept: html },
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: "not_found" });
  });

  test("dotfiles are not served", async () => {
    const response = await app.inject({ url: "/.env", headers: { accept: "*/*" } });

    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain("SECRET");
  });

  test("the CSP allows no inline script or style", () => {
    expect(contentSecurityPolicy).not.toContain("unsafe-inline");
    expect(contentSecurityPolicy).not.toContain("unsafe-eval");
  });
});

describe("staticSpa options", () => {
  test("hsts adds Strict-Transport-Security", async () => {
    const app = await build({ hsts: true });
    try {
      const page = await app.inject({ url: "/deep/link", headers: { accept: html } });
      const asset = await app.inject({ url: "/assets/index-B2x9f0aQ.js" });
      expect(page.headers["strict-transport-security"]).toBe("max-age=31536000");
      expect(asset.headers["strict-transport-security"]).toBe("max-age=31536000");
    } finally {
      await app.close();
    }
  });

  test("a root without index.html is refused at start-up with the fix", async () => {
    const empty = await mkdtemp(join(tmpdir(), "static-spa-empty-"));
    const app = Fastify({ logger: false });
    try {
      await expect(app.register(staticSpa, { root: empty }).ready()).rejects.toThrow(
        `STATIC_DIR "${empty}" has no index.html. Build the SPA first (\`pnpm build\`) or unset STATIC_DIR.`,
      );
    } finally {
      await app.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
