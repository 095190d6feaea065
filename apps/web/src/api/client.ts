/** The SPA's only way to reach the BFF: same-origin fetch with the anti-forgery header. */
import { type ApiError, csrfHeader } from "@entra-bff/contract";

/** Codes the client itself produces when the BFF gave no `{ code, message }` body. */
export const clientErrorCodes = {
  networkError: "network_error",
  unexpectedResponse: "unexpected_response",
} as const;

/**
 * A failed call to the BFF: a non-2xx answer (its `{ code, message, loginUrl? }` body), or
 * no answer at all (`status` 0, `network_error`). Callers match on `code`.
 */
export class ApiRequestError extends Error {
  override readonly name = "ApiRequestError";
  readonly status: number;
  readonly code: string;
  /** With `claims_challenge` and `consent_required`: where sign-in continues. */
  readonly loginUrl: string | undefined;
  /** Seconds, from `Retry-After` (throttling, temporarily unavailable). */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    loginUrl?: string | undefined;
    retryAfter?: number | undefined;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.loginUrl = init.loginUrl;
    this.retryAfter = init.retryAfter;
  }
}

export interface RequestOptions {
  method?: "GET" | "POST";
  signal?: AbortSignal | undefined;
}

/**
 * Calls the BFF on this origin and returns the parsed JSON body. Sends the session cookie
 * (`same-origin`) and `X-CSRF: 1` on every call; throws `ApiRequestError` on anything but
 * a 2xx JSON answer. Does not retry, redirect, log or touch any state: callers decide.
 * Does not validate the body against the contract's schema; the BFF's routes do.
 */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      credentials: "same-origin",
      headers: { [csrfHeader.name]: csrfHeader.value, accept: "application/json" },
      signal: options.signal ?? null,
    });
  } catch (cause) {
    // An abort is the caller's own doing (TanStack Query cancelling a stale request).
    if (options.signal?.aborted) throw cause;
    throw new ApiRequestError({
      status: 0,
      code: clientErrorCodes.networkError,
      message: "The server could not be reached. Check your connection and try again.",
      cause,
    });
  }

  const body = await readJson(response);
  if (response.ok && body !== undefined) return body as T;
  throw toApiRequestError(response, body);
}

async function readJson(response: Response): Promise<unknown> {
  if (!response.headers.get("content-type")?.includes("json")) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function toApiRequestError(response: Response, body: unknown): ApiRequestError {
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  if (isApiError(body)) {
    return new ApiRequestError({
      status: response.status,
      code: body.code,
      message: body.message,
      loginUrl: body.loginUrl,
      retryAfter,
    });
  }
  return new ApiRequestError({
    status: response.status,
    code: clientErrorCodes.unexpectedResponse,
    message: `The server gave an unexpected answer (HTTP ${response.status}). Please try again.`,
    retryAfter,
  });
}

function isApiError(body: unknown): body is ApiError {
  if (typeof body !== "object" || body === null) return false;
  const { code, message, loginUrl } = body as Record<string, unknown>;
  return (
    typeof code === "string" &&
    typeof message === "string" &&
    (loginUrl === undefined || typeof loginUrl === "string")
  );
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function isApiRequestError(error: unknown): error is ApiRequestError {
  return error instanceof ApiRequestError;
}
