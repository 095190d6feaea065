// The anti-forgery header: a cross-site page cannot send `X-CSRF: 1` without a CORS
// preflight, which the BFF never grants (it sends no CORS headers at all).
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
