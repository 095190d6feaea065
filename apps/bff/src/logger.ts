// Fastify's pino logger, with nothing secret in it: no cookies, no authorization header,
// no Set-Cookie, and no query string of the redirect URI (it carries the code and state).
import { paths } from "@entra-bff/contract";
import { type LogStream, logOutput } from "@entra-bff/service-kit";
import {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import type { LogLevel } from "./config.ts";

// The request ids and the log output are the Tasks API's too.
export { genReqId, type LogStream } from "@entra-bff/service-kit";

export function loggerOptions(
  level: LogLevel,
  stream: LogStream | undefined,
): NonNullable<FastifyServerOptions["logger"]> {
  return {
    level,
    ...logOutput(stream),
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
