// Fastify's pino logger, with nothing secret in it: no cookies, no authorization header,
// no Set-Cookie, and no query string of the redirect URI (it carries the code and state).
import { randomUUID } from "node:crypto";
import { paths } from "@entra-bff/contract";
import {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
  type RawRequestDefaultExpression,
} from "fastify";
import pino from "pino";
import type { LogLevel } from "./config.ts";

/** Where log lines go; tests pass an array-backed stream. */
export interface LogStream {
  write(line: string): void;
}

type Flushable = pino.DestinationStream & { flush(): void };

/** pino's number for `warn`: lines at or above it are written without waiting. */
const warnLevel = 40;

let stdout: Flushable | undefined;

/**
 * Standard output, written in batches: lines wait until 4 KiB are buffered or 100 ms have
 * passed. pino's default starts a write on libuv's thread pool for each line unless one is
 * already under way, so at a few thousand requests per second every access line paid for a
 * write of its own (measured: ~30 µs of CPU per proxied call, a tenth of its cost). pino
 * flushes the buffer when the process exits, and `loggerOptions` flushes at every warning or
 * error: a crash that skips the exit handlers can lose the last 100 ms of access lines, not a
 * warning. One per process, so that apps sharing a process (tests) never interleave writes.
 */
function bufferedStdout(): Flushable {
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
  return stdout;
}

export function loggerOptions(
  level: LogLevel,
  stream: LogStream | undefined,
): NonNullable<FastifyServerOptions["logger"]> {
  const buffered = stream ? undefined : bufferedStdout();
  return {
    level,
    stream: stream ?? buffered,
    hooks: {
      logMethod(args, method, level) {
        method.apply(this, args);
        if (level >= warnLevel) buffered?.flush();
      },
    },
    // Where headers can appear in a log line. Not under `req` and `res`: their serializers
    // below emit no headers at all, and redacting paths there would cost every access-log
    // line two thirds of its time (measured) for nothing.
    redact: {
      paths: [
        "headers.cookie",
        "headers.authorization",
        'headers["set-cookie"]',
        "err.headers.cookie",
        "err.headers.authorization",
        'err.headers["set-cookie"]',
      ],
      censor: "[redacted]",
    },
    serializers: {
      req(request: {
        method: string;
        url: string;
        hostname?: string;
        protocol?: string;
        ip?: string;
        socket?: { remotePort?: number };
      }) {
        // Never the headers: no cookie or authorization can reach a line through `req`.
        return {
          method: request.method,
          url: safeUrl(request.url),
          host: request.hostname,
          // Behind a TLS-terminating proxy, "https" here shows TRUST_PROXY is taking effect.
          protocol: request.protocol,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        };
      },
    },
  };
}

/** The URL without the query when it may hold a secret (the callback's `code`). */
export function safeUrl(url: string): string {
  const query = url.indexOf("?");
  if (query === -1) return url;
  const path = url.slice(0, query);
  // Prefix and case-insensitive: "/auth/callback/" and "/AUTH/Callback" are not routed, but
  // they are still logged.
  return path.toLowerCase().startsWith(paths.callback) ? `${path}?[redacted]` : url;
}

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps an upstream proxy's `x-request-id` when it cannot forge log lines; else a UUID. */
export function genReqId(request: RawRequestDefaultExpression): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && saneRequestId.test(incoming) ? incoming : randomUUID();
}

/**
 * One access-log line per request, when it completes (Fastify writes two by default: the
 * request line at its start costs a second serialization and write for nothing the final
 * line lacks). Routes with `logLevel: "warn"` (health checks) stay out of it.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}
