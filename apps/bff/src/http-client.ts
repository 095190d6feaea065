// The BFF's one HTTP client for downstream APIs (Graph, declared APIs): an undici Agent with
// keep-alive connection pools per origin and bounded connects. Per-request time limits are
// set by each caller (headersTimeout/bodyTimeout), so no timer or AbortSignal is created
// per request on the hot path.
import { Agent } from "undici";

export function createHttpAgent(): Agent {
  return new Agent({
    // Idle sockets kept for reuse; below common upstream idle timeouts (Graph's ~60 s+).
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 30_000,
    connections: 128,
    connect: { timeout: 5_000 },
  });
}

/** undici's way of saying "no answer in time", as opposed to "no connection". */
export function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  );
}
