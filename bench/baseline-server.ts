// The baseline: one bare JSON route on Fastify with the BFF's server settings, and nothing
// else. Mirrored from apps/bff/src/app.ts by importing the same pieces: the pino logger
// options (level "info" as in production, redaction, request serializer; one line per
// request and per response, to stdout), request ids (genReqId, no request-id header
// trusted), trustProxy off (the default) and the 16 KB body limit. Not mirrored, because
// they are the BFF's work rather than the server's: cookie parsing, sessions, the
// x-request-id and cache-control hooks, the SPA's security headers.
import Fastify from "fastify";
import { genReqId, loggerOptions } from "../apps/bff/src/logger.ts";

const app = Fastify({
  logger: loggerOptions("info", undefined),
  genReqId,
  requestIdHeader: false,
  trustProxy: false,
  bodyLimit: 16 * 1024,
});

app.get("/", async () => ({ authenticated: false }));

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? "127.0.0.1" });

// Exit cleanly (and so write a --cpu-prof profile when asked to) like the BFF does.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
