// Domain errors: a stable contract code, an HTTP status and a cause. The app's one error
// handler turns them into `{ code, message }`.
import { type ApiErrorCode, apiErrorCodes } from "@entra-bff/contract";

export interface BffErrorOptions {
  cause?: unknown;
  /** Seconds, passed on as `Retry-After`. */
  retryAfter?: string;
  /** For `claims_challenge` / `consent_required`: where the SPA sends the browser. */
  loginUrl?: string;
}

export class BffError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly retryAfter: string | undefined;
  readonly loginUrl: string | undefined;

  constructor(code: ApiErrorCode, statusCode: number, message: string, options?: BffErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BffError";
    this.code = code;
    this.statusCode = statusCode;
    this.retryAfter = options?.retryAfter;
    this.loginUrl = options?.loginUrl;
  }
}

export const notAuthenticated = () =>
  new BffError(
    apiErrorCodes.notAuthenticated,
    401,
    "You are not signed in. Start a sign-in at /auth/login.",
  );

export const sessionExpired = (cause?: unknown) =>
  new BffError(
    apiErrorCodes.sessionExpired,
    401,
    "Your session can no longer be renewed silently (the refresh token was rejected or the identity provider requires interaction). Please sign in again.",
    { cause },
  );
