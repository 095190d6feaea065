import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFetchError, fetchJsonDocument } from "../src/json-document.ts";

// A real server on 127.0.0.1 answering each path its own way.
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    switch (request.url) {
      case "/ok":
        response.setHeader("content-type", "application/json");
        response.end('{"issuer":"https://login.example/x/v2.0"}');
        return;
      case "/missing":
        response.statusCode = 404;
        response.end("{}");
        return;
      case "/html":
        response.end("<html>sign in</html>");
        return;
      case "/array":
        response.end("[1,2]");
        return;
      case "/moved":
        response.statusCode = 302;
        response.setHeader("location", "/ok");
        response.end();
        return;
      default:
        // /slow: never answers; the client's timeout ends it.
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("fetchJsonDocument", () => {
  it("answers the object and the body as received", async () => {
    const { document, text } = await fetchJsonDocument(`${origin}/ok`, 2000);
    expect(document).toEqual({ issuer: "https://login.example/x/v2.0" });
    expect(text).toBe('{"issuer":"https://login.example/x/v2.0"}');
  });

  it("names the reason for each failure", async () => {
    await expect(fetchJsonDocument(`${origin}/missing`, 2000)).rejects.toThrow(/^HTTP 404$/);
    await expect(fetchJsonDocument(`${origin}/html`, 2000)).rejects.toThrow(
      /^the answer is not JSON$/,
    );
    await expect(fetchJsonDocument(`${origin}/array`, 2000)).rejects.toThrow(
      /^the answer is not a JSON object$/,
    );
    await expect(fetchJsonDocument(`${origin}/slow`, 200)).rejects.toThrow(
      /^no answer within 200 ms$/,
    );
  });

  it("follows no redirect: a document comes from where it was asked for", async () => {
    await expect(fetchJsonDocument(`${origin}/moved`, 2000)).rejects.toThrow(/redirect/i);
  });

  it("a refused connection says so, from fetch's hidden cause", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fetchJsonDocument(`http://127.0.0.1:${port}/`, 2000)).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe("describeFetchError", () => {
  it("adds the cause, and a hint when the certificate's CA is not trusted", () => {
    const cause = Object.assign(new Error("unable to verify the first certificate"), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
    const text = describeFetchError(new TypeError("fetch failed", { cause }));
    expect(text).toMatch(/^fetch failed: unable to verify the first certificate \(/);
    expect(text).toContain("NODE_EXTRA_CA_CERTS");
    expect(describeFetchError(new Error("boom"))).toBe("boom");
    expect(describeFetchError("plain")).toBe("plain");
  });
});
