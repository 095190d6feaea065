// What crosses the proxy in each direction (IETF browser-based-apps §6.1.3.6): the browser's
// credentials never reach the API, the API's cookies, CORS and hop-by-hop headers never reach
// the browser, and the API's failures become the BFF's own error codes.
import { apiErrorCodes } from "@entra-bff/contract";
import { BffError } from "../errors.ts";
import { retryAfterSeconds } from "../graph-client.ts";
import type { DownstreamApi } from "./declarations.ts";

type Headers = Record<string, string | string[] | undefined>;

/** Request headers any declared API receives from the browser (each API may add its own). */
const standardRequestHeaders = ["accept", "content-type", "if-match", "if-none-match", "prefer"];

/**
 * The request headers sent upstream: the allow-listed ones from the browser, the body's
 * framing as the proxy computed it, our request id, and the access token. Never `cookie`,
 * `authorization` or `x-csrf` from the browser.
 */
export function upstreamRequestHeaders(
  browser: Headers,
  prepared: Headers,
  api: DownstreamApi,
  accessToken: string,
  requestId: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const copy = (name: string, from: Headers) => {
    const value = from[name];
    if (typeof value === "string") headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(", ");
  };
  for (const name of standardRequestHeaders) copy(name, browser);
  for (const name of api.requestHeaders) copy(name, browser);
  // Set by the proxy library for the upstream (its host; the length of the body it sends).
  copy("host", prepared);
  copy("content-length", prepared);
  if (prepared["content-type"] !== undefined) copy("content-type", prepared);
  headers["client-request-id"] = requestId;
  headers.authorization = `Bearer ${accessToken}`;
  return headers;
}

/** Response headers the browser may see; everything else (set-cookie, CORS, hop-by-hop) stays. */
const passedResponseHeaders = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-disposition",
  "content-range",
  "accept-ranges",
  "etag",
  "last-modified",
  "preference-applied",
  "retry-after",
  "request-id",
  "client-request-id",
];

export function browserResponseHeaders(
  upstream: Headers,
  api: DownstreamApi,
  browserPrefix: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of passedResponseHeaders) {
    const value = upstream[name];
    if (typeof value === "string") headers[name] = value;
  }
  const location = browserLocation(upstream.location, api, browserPrefix);
  if (location) headers.location = location;
  return headers;
}

/**
 * A `Location` (e.g. of a created resource) under the API's base URL, as the browser's path
 * through the BFF; any other location names a place the browser must not be sent.
 */
function browserLocation(
  value: Headers[string],
  api: DownstreamApi,
  browserPrefix: string,
): string | undefined {
  if (typeof value !== "string") return undefined;
  let target: URL;
  try {
    target = new URL(value, `${api.baseUrl.href.replace(/\/$/, "")}/`);
  } catch {
    return undefined;
  }
  const base = api.baseUrl.pathname.replace(/\/$/, "");
  if (target.origin !== api.baseUrl.origin || !target.pathname.startsWith(`${base}/`)) {
    return undefined;
  }
  return `${browserPrefix}${target.pathname.slice(base.length)}${target.search}`;
}

/** Statuses whose answer the browser gets as the API gave it (body streamed). */
const passedStatuses = new Set([400, 404, 405, 406, 409, 410, 412, 413, 415, 416, 422, 428]);

/**
 * `undefined` when the upstream's answer goes to the browser as it is; otherwise the error
 * the BFF answers instead. 401 is not decided here (the caller renews and retries).
 */
export function upstreamRefusal(
  api: DownstreamApi,
  status: number,
  headers: Headers,
): BffError | undefined {
  if ((status >= 200 && status < 300) || status === 304 || passedStatuses.has(status)) {
    return undefined;
  }
  const retryAfter = headers["retry-after"];
  const given = typeof retryAfter === "string" ? retryAfterSeconds(retryAfter) : undefined;
  if (status === 403) {
    return new BffError(
      apiErrorCodes.forbidden,
      403,
      `The ${api.name} API refused this request (HTTP 403): the signed-in user or this app lacks a permission it needs.`,
    );
  }
  if (status === 429 || status === 503) {
    return new BffError(
      apiErrorCodes.upstreamUnavailable,
      503,
      status === 429
        ? `The ${api.name} API is throttling requests; try again after Retry-After seconds.`
        : `The ${api.name} API is temporarily unavailable; try again after Retry-After seconds.`,
      { retryAfter: given ?? "5" },
    );
  }
  return new BffError(
    apiErrorCodes.upstreamError,
    502,
    status >= 300 && status < 400
      ? `The ${api.name} API answered with a redirect (HTTP ${status}), which the BFF does not follow.`
      : `The ${api.name} API answered HTTP ${status}.`,
    given ? { retryAfter: given } : undefined,
  );
}

/** The proxy library's network errors: a timeout, or no usable connection. */
export function upstreamFailure(api: DownstreamApi, error: unknown): BffError {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 504) {
    return new BffError(
      apiErrorCodes.upstreamTimeout,
      504,
      `The ${api.name} API did not answer within ${api.timeoutMs} ms.`,
      { cause: error },
    );
  }
  return new BffError(
    apiErrorCodes.upstreamUnavailable,
    503,
    `The ${api.name} API could not be reached.`,
    { cause: error, retryAfter: "5" },
  );
}
