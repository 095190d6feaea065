/** The SPA's only way to reach the BFF: same-origin fetch with the anti-forgery header. */
import { type ApiError, apiErrorCodes, csrfHeader } from "@entra-bff/contract";

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

/** How a 2xx answer is read: its JSON body, its bytes (a photo), or nothing (204). */
export type ReadAs = "json" | "binary" | "none";

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  signal?: AbortSignal | undefined;
  /** Extra request headers; `X-CSRF` is always set and cannot be replaced. */
  headers?: Record<string, string> | undefined;
  /** Sent as JSON (`content-type: application/json`). */
  body?: unknown;
  /** Default `"json"`. */
  read?: ReadAs;
}

/**
 * Calls the BFF on this origin and returns the answer read as `options.read` says: the
 * parsed JSON body, a `Blob`, or `undefined`. Sends the session cookie (`same-origin`) and
 * `X-CSRF: 1` on every call; throws `ApiRequestError` on anything but a 2xx answer of the
 * expected kind. Does not retry, redirect, log or touch any state: callers decide. Does not
 * validate a JSON body against the contract's schema; the BFF's routes and the APIs do.
 */
export async function request(path: string, options: RequestOptions = {}): Promise<unknown> {
  const read = options.read ?? "json";
  const headers: Record<string, string> = {
    accept: read === "json" ? "application/json" : "*/*",
    ...options.headers,
    [csrfHeader.name]: csrfHeader.value,
  };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      credentials: "same-origin",
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
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

  if (response.ok && read === "binary") return readBlob(response, options.signal);
  if (response.ok && read === "none") {
    await response.body?.cancel();
    return undefined;
  }
  const body = await readJson(response);
  if (response.ok && body !== undefined) return body;
  throw toApiRequestError(response, body);
}

/** `request` for a JSON answer of type `T` (the caller's claim; not checked at run time). */
export function requestJson<T>(
  path: string,
  options: Omit<RequestOptions, "read"> = {},
): Promise<T> {
  return request(path, { ...options, read: "json" }) as Promise<T>;
}

async function readBlob(response: Response, signal: AbortSignal | undefined): Promise<Blob> {
  try {
    return await response.blob();
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiRequestError({
      status: 0,
      code: clientErrorCodes.networkError,
      message: "The answer broke off. Check your connection and try again.",
      cause,
    });
  }
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
  // A declared API's 400 or 404 passed through in OData's shape (Graph's `Request_ResourceNotFound`):
  // the status says what happened, in our own codes; Graph's message says why.
  const passedThrough = passedThroughCodes[response.status];
  const upstreamMessage = odataErrorMessage(body);
  if (passedThrough && upstreamMessage !== undefined) {
    return new ApiRequestError({
      status: response.status,
      code: passedThrough,
      message: upstreamMessage,
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

const passedThroughCodes: Partial<Record<number, string>> = {
  400: apiErrorCodes.badRequest,
  404: apiErrorCodes.notFound,
};

/** `{ "error": { "code", "message" } }`, as Graph and other OData services answer. */
function odataErrorMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { error } = body as Record<string, unknown>;
  if (typeof error !== "object" || error === null) return undefined;
  const { message } = error as Record<string, unknown>;
  return typeof message === "string" && message.length > 0 ? message.slice(0, 500) : undefined;
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
