// Fastify's pino logger (JSON lines), with nothing secret in it: the Authorization header
// is redacted wherever it could appear, and URLs are logged without their query string (a
// misbehaving client may put `access_token=` there; this API never reads it).
import { randomUUID } from "node:crypto";
import type { FastifyServerOptions, RawRequestDefaultExpression } from "fastify";
import type { LogLevel } from "./config.ts";

/** Where log lines go; tests pass an array-backed stream. */
export interface LogStream {
  write(line: string): void;
}

export function loggerOptions(
  level: LogLevel,
  stream: LogStream | undefined,
): NonNullable<FastifyServerOptions["logger"]> {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "headers.authorization",
        "headers.cookie",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string; socket?: { remotePort?: number } }) {
        return {
          method: request.method,
          url: pathOnly(request.url),
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        };
      },
    },
  };
}

export function pathOnly(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : `${url.slice(0, query)}?[redacted]`;
}

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps the BFF's `x-request-id` when it cannot forge log lines (one id across hops); else a UUID. */
export function genReqId(request: RawRequestDefaultExpression): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && saneRequestId.test(incoming) ? incoming : randomUUID();
}
