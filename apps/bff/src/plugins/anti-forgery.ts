// Anti-forgery for every state-changing or token-using endpoint: the `X-CSRF: 1` header (a
// cross-site page cannot send it without a CORS preflight, which the BFF never grants — it
// sends no CORS headers at all), and the browser's own word on where a request came from.
import { apiErrorCodes, csrfHeader } from "@entra-bff/contract";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { BffError } from "../errors.ts";

// Callback-style hooks: on every API request, an async hook would cost a promise and a
// microtask turn for a header comparison.
export function requireCsrfHeader(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (request.headers[csrfHeader.name] !== csrfHeader.value) {
    done(
      new BffError(
        apiErrorCodes.csrfRequired,
        403,
        `This endpoint requires the anti-forgery header \`X-CSRF: ${csrfHeader.value}\`.`,
      ),
    );
    return;
  }
  done();
}

/**
 * Refuses a request the browser says another origin started: an `Origin` other than ours,
 * or `Sec-Fetch-Site` other than `same-origin` (a sibling subdomain is same-site but not
 * same-origin, and may not act for this app either). Requests without these headers (non-
 * browser clients, older browsers) rely on the anti-forgery header alone.
 */
export function refuseCrossSite(publicOrigin: string) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const origin = request.headers.origin;
    const fetchSite = request.headers["sec-fetch-site"];
    if (
      (origin !== undefined && origin !== publicOrigin) ||
      (fetchSite !== undefined && fetchSite !== "same-origin")
    ) {
      done(
        new BffError(
          apiErrorCodes.crossSiteRequest,
          403,
          `This request must come from ${publicOrigin} itself (Origin: ${String(origin ?? "none").slice(0, 100)}, Sec-Fetch-Site: ${String(fetchSite ?? "none").slice(0, 20)}).`,
        ),
      );
      return;
    }
    done();
  };
}
