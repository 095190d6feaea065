// Domain errors: a stable contract code, an HTTP status and a cause. The app's one error
// handler turns them into `{ code, message }` (and `WWW-Authenticate` for token failures).
import { type ApiErrorCode, apiErrorCodes, tasksApi } from "@entra-bff/contract";

/** What `WWW-Authenticate: Bearer …` says (RFC 6750 section 3). */
export interface BearerChallenge {
  /** Absent when the request carried no token (RFC 6750 3.1: then no error code). */
  error?: "invalid_token" | "insufficient_scope";
  description?: string;
  /** With `insufficient_scope`: the scope the request needs. */
  scope?: string;
}

export interface TasksApiErrorOptions {
  cause?: unknown;
  /** Seconds, passed on as `Retry-After`. */
  retryAfter?: string;
  challenge?: BearerChallenge;
}

export class TasksApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly retryAfter: string | undefined;
  readonly challenge: BearerChallenge | undefined;

  constructor(
    code: ApiErrorCode,
    statusCode: number,
    message: string,
    options?: TasksApiErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TasksApiError";
    this.code = code;
    this.statusCode = statusCode;
    this.retryAfter = options?.retryAfter;
    this.challenge = options?.challenge;
  }
}

export const tokenRequired = () =>
  new TasksApiError(
    apiErrorCodes.notAuthenticated,
    401,
    "This API needs an access token: send `Authorization: Bearer <token>` (a v2.0 token for its Application ID URI).",
    { challenge: {} },
  );

export const invalidToken = (reason: string, cause?: unknown) =>
  new TasksApiError(apiErrorCodes.invalidToken, 401, `The access token is not valid: ${reason}.`, {
    cause,
    challenge: { error: "invalid_token", description: reason },
  });

export const insufficientScope = () =>
  new TasksApiError(
    apiErrorCodes.insufficientScope,
    403,
    `The access token does not carry the delegated scope \`${tasksApi.scope}\` (\`scp\`); request a token for it.`,
    {
      challenge: {
        error: "insufficient_scope",
        description: `the token lacks the scope ${tasksApi.scope}`,
        scope: tasksApi.scope,
      },
    },
  );

export const missingRole = (role: string) =>
  new TasksApiError(
    apiErrorCodes.forbidden,
    403,
    `This needs the app role \`${role}\` in the token's \`roles\` claim; an administrator assigns it in Entra ID (Enterprise applications → Users and groups).`,
  );

export const keysUnavailable = (reason: string, cause?: unknown) =>
  new TasksApiError(
    apiErrorCodes.idpUnavailable,
    503,
    `The identity provider's signing keys could not be loaded, so the token cannot be checked: ${reason}.`,
    { cause, retryAfter: "5" },
  );

export const taskNotFound = (id: string) =>
  new TasksApiError(apiErrorCodes.notFound, 404, `No task ${id}.`);
