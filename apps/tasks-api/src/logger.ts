// Fastify's pino logger (JSON lines), with nothing secret in it: the Authorization header
// is redacted wherever it could appear, and URLs are logged without their query string (a
// misbehaving client may put `access_token=` there; this API never reads it).
import { type LogStream, logOutput } from "@entra-bff/service-kit";
import type { FastifyServerOptions } from "fastify";
import type { LogLevel } from "./config.ts";

// The request ids and the log output are the BFF's too.
export { genReqId, type LogStream } from "@entra-bff/service-kit";

export function loggerOptions(
  level: LogLevel,
  stream: LogStream | undefined,
): NonNullable<FastifyServerOptions["logger"]> {
  return {
    level,
    ...logOutput(stream),
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
