import { csrfHeader } from "@entra-bff/contract";
import { describe, expect, test } from "vitest";
import { ApiRequestError, requestJson } from "../../src/api/client.ts";
import { json, stubBff } from "../fixtures/fake-bff.ts";

describe("requestJson", () => {
  test("sends the anti-forgery header and same-origin credentials on every call", async () => {
    const bff = stubBff({ "POST /auth/logout": () => json(200, { redirectTo: "/" }) });

    await requestJson("/auth/logout", { method: "POST" });

    const [request] = bff.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers.get(csrfHeader.name)).toBe(csrfHeader.value);
    expect(request?.headers.get("accept")).toBe("application/json");
    expect(request?.credentials).toBe("same-origin");
  });

  test("throws the BFF's code, message, loginUrl and Retry-After as an ApiRequestError", async () => {
    stubBff({
      "GET /api/me": () =>
        json(401, {
          code: "claims_challenge",
          message: "Sign in again.",
          loginUrl: "/auth/login?x=1",
        }),
      "GET /api/other": () =>
        json(503, { code: "graph_unavailable", message: "Busy." }, { "retry-after": "7" }),
    });

    const challenge = await requestJson("/api/me").catch((error: unknown) => error);
    expect(challenge).toBeInstanceOf(ApiRequestError);
    expect(challenge).toMatchObject({
      status: 401,
      code: "claims_challenge",
      message: "Sign in again.",
      loginUrl: "/auth/login?x=1",
      retryAfter: undefined,
    });

    const throttled = await requestJson("/api/other").catch((error: unknown) => error);
    expect(throttled).toMatchObject({ status: 503, code: "graph_unavailable", retryAfter: 7 });
  });

  test("an answer without the error shape becomes unexpected_response", async () => {
    stubBff({ "GET /api/me": () => new Response("<h1>Bad gateway</h1>", { status: 502 }) });

    const error = await requestJson("/api/me").catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 502,
      code: "unexpected_response",
      message: "The server gave an unexpected answer (HTTP 502). Please try again.",
    });
  });

  test("no answer at all becomes network_error with status 0", async () => {
    stubBff({
      "GET /auth/session": () => Promise.reject(new TypeError("Failed to fetch")),
    });

    const error = await requestJson("/auth/session").catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 0,
      code: "network_error",
      message: "The server could not be reached. Check your connection and try again.",
    });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});
