import { createEmulator, type Emulator } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CookieJar, csrf, json, startBff } from "../helpers/bff.ts";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});

describe("health", () => {
  it("/healthz and /readyz answer ok once the IdP metadata is loaded", async () => {
    const bff = await startBff(emulator);
    try {
      expect(json(await bff.request(undefined, { url: "/healthz" }))).toEqual({ status: "ok" });
      const ready = await bff.request(undefined, { url: "/readyz" });
      expect(ready.statusCode).toBe(200);
      expect(json(ready)).toEqual({
        status: "ok",
        credentials: [{ kind: "secret", index: 1, active: true, expiry: "unknown" }],
      });
    } finally {
      await bff.close();
    }
  });

  it("/readyz is 503 while discovery is down; sign-in and /api refuse clearly; it recovers", async () => {
    emulator.faults.add({ target: "discovery", kind: "delay", ms: 1500 });
    const bff = await startBff(
      emulator,
      { IDP_TIMEOUT_MS: "200" },
      { waitForMetadata: false, idpRetryDelayMs: 100 },
    );
    try {
      const notReady = await bff.request(undefined, { url: "/readyz" });
      expect(notReady.statusCode).toBe(503);
      expect(json(notReady).status).toBe("unavailable");
      expect(String(json(notReady).reason)).toMatch(/^identity provider metadata not loaded: /);
      expect(json(await bff.request(undefined, { url: "/healthz" }))).toEqual({ status: "ok" });

      const login = await bff.request(new CookieJar(), { url: "/auth/login" });
      expect(login.statusCode).toBe(303);
      expect(login.headers.location).toBe("http://localhost:3000/?authError=idp_unavailable");

      // The first attempt timed out and a retry is scheduled; then discovery comes back.
      await vi.waitFor(
        () => expect(bff.logs.join("")).toContain('"reason":"no answer within 200 ms"'),
        { timeout: 5000, interval: 20 },
      );
      emulator.faults.clear();
      await bff.app.idp.whenLoaded();
      expect((await bff.request(undefined, { url: "/readyz" })).statusCode).toBe(200);
    } finally {
      emulator.faults.clear();
      await bff.close();
    }
  });
});

describe("protocol hygiene", () => {
  it("echoes a sane x-request-id and replaces an insane one", async () => {
    const bff = await startBff(emulator);
    try {
      const kept = await bff.request(undefined, {
        url: "/healthz",
        headers: { "x-request-id": "abc-123.4" },
      });
      expect(kept.headers["x-request-id"]).toBe("abc-123.4");
      const replaced = await bff.request(undefined, {
        url: "/healthz",
        headers: { "x-request-id": 'evil"\nforged log line' },
      });
      expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await bff.close();
    }
  });

  it("grants no CORS: no Access-Control-* header even on a preflight", async () => {
    const bff = await startBff(emulator);
    try {
      const preflight = await bff.request(undefined, {
        method: "OPTIONS",
        url: "/api/me",
        headers: {
          origin: "https://evil.example",
          "access-control-request-method": "GET",
          "access-control-request-headers": "x-csrf",
        },
      });
      expect(preflight.statusCode).toBeGreaterThanOrEqual(400);
      const get = await bff.request(undefined, {
        url: "/api/me",
        headers: { ...csrf, origin: "https://evil.example" },
      });
      for (const response of [preflight, get]) {
        expect(
          Object.keys(response.headers).filter((h) => h.startsWith("access-control-")),
        ).toEqual([]);
      }
    } finally {
      await bff.close();
    }
  });

  it("answers unknown /api and /auth routes with JSON 404 not_found", async () => {
    const bff = await startBff(emulator);
    try {
      for (const url of ["/api/nope", "/auth/nope", "/nope"]) {
        const response = await bff.request(undefined, { url, headers: csrf });
        expect(response.statusCode).toBe(404);
        expect(json(response)).toEqual({ code: "not_found", message: `No route GET ${url}.` });
      }
    } finally {
      await bff.close();
    }
  });
});
