import Fastify from "fastify";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the dev scripts, without type declarations.
import { createDevLogFormatter } from "../../../../scripts/lib/dev-log.mjs";
import { genReqId, loggerOptions } from "../../src/logger.ts";
import { csrf, signIn, type TestBff, useEmulatorAndBff } from "../helpers/bff.ts";
import { CookieJar } from "../helpers/cookie-jar.ts";

// `pnpm dev` and `pnpm preview` show the servers' pino JSON (the production format, unchanged)
// as one short line per request. Checked on the lines the real BFF writes.

type Format = (line: string) => string | undefined;
const formatAll = (format: Format, lines: string[]) =>
  lines
    .map((line) => format(line.trimEnd()))
    .filter((text): text is string => text !== undefined)
    .flatMap((text) => text.split("\n"));

describe("the dev terminal's log format", () => {
  const stack = useEmulatorAndBff();
  let bff: TestBff;
  beforeAll(() => {
    bff = stack.bff;
  });

  it("prints each request of the real BFF as one line: method, URL, status, time", async () => {
    const jar = new CookieJar();
    await signIn(bff, jar, 0);
    const first = bff.logs.length;
    await bff.request(jar, { url: "/auth/session" });
    await bff.request(jar, { url: "/api/me", headers: csrf });
    await bff.request(jar, { url: "/api/nothing-here", headers: csrf });
    const lines = bff.logs.slice(first);
    // One JSON access-log line per request.
    expect(lines.filter((l) => l.includes('"msg":"request completed"'))).toHaveLength(3);

    const shown = formatAll(createDevLogFormatter(), lines);
    const requests = shown.filter((line) => /^(GET|POST) \//.test(line));
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatch(/^GET \/auth\/session 200 \d+\.\d ms$/);
    expect(requests[1]).toMatch(/^GET \/api\/me 200 \d+\.\d ms$/);
    expect(requests[2]).toMatch(/^GET \/api\/nothing-here 404 \d+\.\d ms$/);
    for (const line of shown) expect(line.startsWith("{"), line).toBe(false);
  });

  it("keeps the callback's query redacted, as the JSON has it", async () => {
    const jar = new CookieJar();
    const first = bff.logs.length;
    await signIn(bff, jar, 0);
    const shown = formatAll(createDevLogFormatter(), bff.logs.slice(first));
    const callback = shown.find((line) => line.startsWith("GET /auth/callback"));
    expect(callback).toMatch(/^GET \/auth\/callback\?\[redacted\] 303 /);
  });

  it("shows other entries as level, message and fields, with an error's stack", async () => {
    const logs: string[] = [];
    const app = Fastify({
      logger: loggerOptions("info", { write: (line) => void logs.push(line) }),
      genReqId,
    });
    app.get("/boom", async (request) => {
      request.log.warn({ upstream: "graph", retryInMs: 250 }, "upstream slow");
      throw new Error("kaput");
    });
    await app.inject({ url: "/boom" });
    await app.close();

    const shown = formatAll(createDevLogFormatter(), logs);
    expect(shown).toContainEqual(
      expect.stringMatching(/^WARN upstream slow {2}upstream=graph retryInMs=250 reqId=\S+$/),
    );
    const error = shown.findIndex((line) => line.startsWith("ERROR kaput"));
    expect(error, shown.join("\n")).toBeGreaterThanOrEqual(0);
    expect(shown[error + 1]).toBe("    Error: kaput");
    expect(shown[error + 2]).toMatch(/^ {8}at /);
    expect(shown).toContainEqual(expect.stringMatching(/^GET \/boom 500 \d+\.\d ms$/));
  });

  it("passes other output through and forgets requests that never complete", () => {
    const format = createDevLogFormatter({ maxPending: 2 }) as Format;
    expect(format("plain text from a library")).toBe("plain text from a library");
    expect(format("{not json")).toBe("{not json");
    const incoming = (id: string, url: string) =>
      JSON.stringify({
        level: 30,
        reqId: id,
        req: { method: "GET", url },
        msg: "incoming request",
      });
    const done = (id: string) =>
      JSON.stringify({
        level: 30,
        reqId: id,
        res: { statusCode: 200 },
        responseTime: 1,
        msg: "request completed",
      });
    expect(format(incoming("a", "/a"))).toBeUndefined();
    expect(format(incoming("b", "/b"))).toBeUndefined();
    expect(format(incoming("c", "/c"))).toBeUndefined();
    // "a" was evicted: its completion still prints, without the URL it no longer knows.
    expect(format(done("a"))).toBe("request 200 1.0 ms");
    expect(format(done("c"))).toBe("GET /c 200 1.0 ms");
  });
});
