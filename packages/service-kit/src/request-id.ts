// Every log line of a request carries its id, and every response echoes it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** What may be copied into a log line: no spaces, quotes or newlines that could forge one. */
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps an incoming `x-request-id` (a proxy's, or the BFF's at the Tasks API: one id across
 * hops) when it cannot forge log lines; else a fresh UUID.
 */
export function genReqId(request: Pick<IncomingMessage, "headers">): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && saneRequestId.test(incoming) ? incoming : randomUUID();
}
