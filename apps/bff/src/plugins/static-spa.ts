// Serves the built SPA (STATIC_DIR) in production: immutable hashed assets, an index.html
// that is never cached, client-side routes, and the browser security headers.
import { existsSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { apiErrorCodes } from "@entra-bff/contract";
import fastifyStatic from "@fastify/static";
import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

export interface StaticSpaOptions {
  /** The built SPA (apps/web/dist): `index.html`, hashed files under `assets/`. */
  root: string;
  /**
   * Send `Strict-Transport-Security`. Only when the public origin is https: over plain
   * http browsers ignore it, and on localhost it would pin https for every local port.
   */
  hsts?: boolean;
}

/**
 * No inline script or style anywhere (the SPA is built that way), no framing, no plugins,
 * and the page may only talk to its own origin. Sign-in and sign-out leave by navigation,
 * not by form posts, so `form-action 'self'` does not get in their way.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: for photos the SPA fetched with X-CSRF and shows through object URLs.
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const securityHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": contentSecurityPolicy,
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

const hstsHeader = "max-age=31536000";

/** Vite content-hashes every file it emits under `assets/`: a new build means new names. */
const immutable = "public, max-age=31536000, immutable";
/** A stale index.html would point at assets a newer deployment no longer has. */
const neverCache = "no-store";
/** Unhashed files from `public/` (favicon): cacheable, but checked with the server each time. */
const revalidate = "no-cache";

/** Server paths: a typo under them is a 404 JSON, never the SPA's HTML. */
const serverPrefixes = ["/auth", "/api", "/healthz", "/readyz"];

export const staticSpa = fp<StaticSpaOptions>(
  async (app, options) => {
    const root = options.root;
    if (!existsSync(join(root, "index.html"))) {
      throw new Error(
        `STATIC_DIR "${root}" has no index.html. Build the SPA first (\`pnpm build\`) or unset STATIC_DIR.`,
      );
    }
    const headers: Record<string, string> = options.hsts
      ? { ...securityHeaders, "strict-transport-security": hstsHeader }
      : { ...securityHeaders };

    await app.register(fastifyStatic, {
      root,
      prefix: "/",
      // One route per file present at start-up: a build is immutable, and a catch-all route
      // would shadow the JSON 404s of /auth and /api.
      wildcard: false,
      index: ["index.html"],
      // The Cache-Control header is set per file below.
      cacheControl: false,
      dotfiles: "deny",
      setHeaders: (reply, path) => {
        reply.headers(headers);
        reply.header("cache-control", cacheControlFor(root, path));
      },
    });

    // Anything else: a page navigation gets index.html (client-side routing decides);
    // everything else a JSON 404 like the rest of the BFF.
    app.setNotFoundHandler(async (request, reply) => {
      if (isPageNavigation(request)) {
        return reply.code(200).sendFile("index.html");
      }
      return notFound(request, reply.headers(headers));
    });
  },
  { name: "static-spa", fastify: "5.x" },
);

function cacheControlFor(root: string, file: string): string {
  const path = relative(root, file).split(sep).join("/");
  if (basename(path) === "index.html") return neverCache;
  if (path.startsWith("assets/")) return immutable;
  return revalidate;
}

/** A browser loading a page (not a script, image or fetch) at a path that is not the server's. */
function isPageNavigation(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (!request.headers.accept?.includes("text/html")) return false;
  const path = request.url.split("?")[0] ?? "/";
  return !serverPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  reply.code(404).header("cache-control", "no-store");
  return {
    code: apiErrorCodes.notFound,
    message: `No route ${request.method} ${request.url.split("?")[0]}.`,
  };
}
