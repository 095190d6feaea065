// The framework's floor: one bare JSON route on Fastify with the BFF's server settings, and
// nothing else. Two variants, chosen by BASELINE_LOGGER:
// - "none": no logger at all, the reference every phase's ratios divide by;
// - "bff": the BFF's pino logger from apps/bff/src/logger.ts (level "info" as in production,
//   redaction, request serializer; one line per request and per response, to stdout).
// Mirrored from apps/bff/src/app.ts in both: request ids (genReqId, no request-id header
// trusted), trustProxy off (the default) and the 16 KB body limit. Not mirrored, because
// they are the BFF's work rather than the server's: cookie parsing, sessions, the
// x-request-id and cache-control hooks, the SPA's security headers.
import Fastify from "fastify";
import { genReqId, loggerOptions } from "../apps/bff/src/logger.ts";

const variant = process.env.BASELINE_LOGGER;
if (variant !== "none" && variant !== "bff") {
  throw new TypeError(`BASELINE_LOGGER must be "none" or "bff" (got "${variant}")`);
}

const app = Fastify({
  logger: variant === "bff" ? loggerOptions("info", undefined) : false,
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
