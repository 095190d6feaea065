// Anti-forgery for every state-changing or token-using endpoint: the `X-CSRF: 1` header (a
// cross-site page cannot send it without a CORS preflight, which the BFF never grants — it
// sends no CORS headers at all), and the browser's own word on where a request came from.
import { apiErrorCodes, csrfHeader } from "@entra-bff/contract";
import type { FastifyRequest } from "fastify";
import { BffError } from "../errors.ts";

export async function requireCsrfHeader(request: FastifyRequest): Promise<void> {
  if (request.headers[csrfHeader.name] !== csrfHeader.value) {
    throw new BffError(
      apiErrorCodes.csrfRequired,
      403,
      `This endpoint requires the anti-forgery header \`X-CSRF: ${csrfHeader.value}\`.`,
    );
  }
}

/**
 * Refuses a request the browser says another origin started: an `Origin` other than ours,
 * or `Sec-Fetch-Site` other than `same-origin` (a sibling subdomain is same-site but not
 * same-origin, and may not act for this app either). Requests without these headers (non-
 * browser clients, older browsers) rely on the anti-forgery header alone.
 */
export function refuseCrossSite(publicOrigin: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const origin = request.headers.origin;
    const fetchSite = request.headers["sec-fetch-site"];
    if (
      (origin !== undefined && origin !== publicOrigin) ||
      (fetchSite !== undefined && fetchSite !== "same-origin")
    ) {
      throw new BffError(
        apiErrorCodes.crossSiteRequest,
        403,
        `This request must come from ${publicOrigin} itself (Origin: ${String(origin ?? "none").slice(0, 100)}, Sec-Fetch-Site: ${String(fetchSite ?? "none").slice(0, 20)}).`,
      );
    }
  };
}
