import Type, { type Static } from "typebox";

/**
 * Error codes of `/api/*` and `/auth/*` JSON errors. Clients match on `code`; `message` is
 * for people. Stable: renaming one is a breaking change of the wire contract.
 */
export const apiErrorCodes = {
  /** 401: no session cookie, or one that is tampered, expired or revoked. */
  notAuthenticated: "not_authenticated",
  /** 401: the session existed but cannot be renewed (refresh token expired or revoked); it was cleared. */
  sessionExpired: "session_expired",
  /** 401: Conditional Access (CAE) needs the user to sign in again with `loginUrl`. */
  claimsChallenge: "claims_challenge",
  /** 401: the user must consent to more permissions through `loginUrl`. */
  consentRequired: "consent_required",
  /** 403: the anti-forgery header `X-CSRF: 1` is missing. */
  csrfRequired: "csrf_required",
  /**
   * 403: the request came from another site (`Origin` of another origin, or
   * `Sec-Fetch-Site` other than `same-origin`): `/api/*` and `POST /auth/logout`.
   */
  crossSiteRequest: "cross_site_request",
  /**
   * 403: the signed-in user may not do this: a declared API needs an app role the session
   * does not hold, or the downstream API answered 403 (e.g. a missing permission).
   */
  forbidden: "forbidden",
  /** 413: the request body is larger than the declared API's `bodyLimitBytes`. */
  payloadTooLarge: "payload_too_large",
  /** 400: malformed request. */
  badRequest: "bad_request",
  /** 404: no such route. */
  notFound: "not_found",
  /** 502: Microsoft Graph answered with an error the BFF cannot pass on. */
  graphError: "graph_error",
  /** 503: Microsoft Graph is throttling (429) or unavailable; see `Retry-After`. */
  graphUnavailable: "graph_unavailable",
  /** 504: Microsoft Graph did not answer in time. */
  graphTimeout: "graph_timeout",
  /**
   * 502: a declared downstream API answered with an error the BFF cannot pass on (a 5xx, a
   * redirect, or a 401 for a freshly renewed token), or its answer broke off.
   */
  upstreamError: "upstream_error",
  /** 503: a declared downstream API is throttling (429), unavailable (503) or unreachable; see `Retry-After`. */
  upstreamUnavailable: "upstream_unavailable",
  /** 504: a declared downstream API did not answer within its `timeoutMs`. */
  upstreamTimeout: "upstream_timeout",
  /** 502: the identity provider answered with an error or an unusable response. */
  idpError: "idp_error",
  /** 503: the identity provider is temporarily unavailable, or its metadata is not loaded yet. */
  idpUnavailable: "idp_unavailable",
  /** 504: the identity provider did not answer in time. */
  idpTimeout: "idp_timeout",
  /**
   * 503: the shared session store (Redis, `REDIS_URL`) did not answer, so the BFF cannot tell
   * whether the session was ended elsewhere. It fails closed rather than accept a cookie that
   * may have been revoked; retry shortly.
   */
  sessionStoreUnavailable: "session_store_unavailable",
  /**
   * 401 from the Tasks API: the bearer token failed validation (signature, issuer, tenant,
   * audience, lifetime, version); `WWW-Authenticate: Bearer error="invalid_token"` says which.
   */
  invalidToken: "invalid_token",
  /** 403 from the Tasks API: the token lacks the `Tasks.ReadWrite` scope (`error="insufficient_scope"`). */
  insufficientScope: "insufficient_scope",
  /** 412: `If-Match` names a version that is no longer current (changed in another tab). */
  preconditionFailed: "precondition_failed",
  /** 428: a change (PATCH, DELETE) without `If-Match`: the API refuses to overwrite blindly. */
  preconditionRequired: "precondition_required",
  /** 409: the user already holds the most tasks the Tasks API allows. */
  taskLimitReached: "task_limit_reached",
  /** 500: a bug; details are only in the server log. */
  internalError: "internal_error",
} as const;

export type ApiErrorCode = (typeof apiErrorCodes)[keyof typeof apiErrorCodes];

export const ApiErrorSchema = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    /** Present with `claims_challenge` and `consent_required`: where to send the browser. */
    loginUrl: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ApiError = Static<typeof ApiErrorSchema>;

/**
 * Why a sign-in failed. `/auth/callback` redirects to the SPA with `?authError=<code>`;
 * the SPA shows `signInErrorMessages[code]` and offers to try again.
 */
export const signInErrorCodes = {
  /** The user cancelled at the identity provider (`error=access_denied`). */
  accessDenied: "access_denied",
  /** The identity provider returned another `error=` (consent, policy, misconfiguration). */
  idpError: "idp_error",
  /** No sign-in transaction matched `state`: expired, already used, forged, or another browser. */
  stateMismatch: "state_mismatch",
  /** The authorization code could not be redeemed (expired, replayed, or rejected). */
  codeRedemptionFailed: "code_redemption_failed",
  /** The ID token failed validation (signature, issuer, audience, lifetime, nonce, tenant). */
  invalidIdToken: "invalid_id_token",
  /** The identity provider could not be reached or did not answer in time. */
  idpUnavailable: "idp_unavailable",
  /** `/auth/login?scopes=` named a scope outside the BFF's INCREMENTAL_SCOPES allowlist. */
  scopeNotAllowed: "scope_not_allowed",
  /** The user's organization (`tid`) is not in the BFF's ALLOWED_TENANTS. */
  tenantNotAllowed: "tenant_not_allowed",
  /** The session store (Redis) did not answer, so the sign-in could not be checked or recorded. */
  sessionStoreUnavailable: "session_store_unavailable",
  /** `/auth/login?prompt=` named a prompt other than `create`, or sign-up this tenant does not offer. */
  promptNotAllowed: "prompt_not_allowed",
  /** B2C's "Forgot your password?" (AADB2C90118) without B2C_PASSWORD_RESET_POLICY. */
  passwordResetUnavailable: "password_reset_unavailable",
  /** The profile edit came back signed in as another account: nothing was changed. */
  wrongAccount: "wrong_account",
  /** The session ended (signed out, expired) while its profile was being edited. */
  sessionEnded: "session_ended",
} as const;

export type SignInErrorCode = (typeof signInErrorCodes)[keyof typeof signInErrorCodes];

export const signInErrorMessages: Record<SignInErrorCode, string> = {
  access_denied: "Sign-in was cancelled.",
  idp_error: "Microsoft could not sign you in. Please try again, or ask your administrator.",
  state_mismatch:
    "This sign-in attempt expired or was started in another browser. Please sign in again.",
  code_redemption_failed: "The sign-in could not be completed. Please sign in again.",
  invalid_id_token:
    "The identity returned by Microsoft could not be verified, so you were not signed in.",
  idp_unavailable: "Microsoft sign-in is not reachable right now. Please try again in a moment.",
  scope_not_allowed:
    "This app asked for a permission it is not set up to request, so sign-in was not started.",
  tenant_not_allowed:
    "Your organization is not set up to use this app. Ask your administrator to contact us, or sign in with another account.",
  session_store_unavailable:
    "Sign-in is temporarily unavailable on our side. Please try again in a moment.",
  prompt_not_allowed:
    "This sign-in link asked for something this app does not offer, so sign-in was not started.",
  password_reset_unavailable:
    "Resetting your password is not set up for this app. Ask the app's administrator, or sign in again.",
  wrong_account:
    "You signed in with a different account while editing your profile, so nothing was changed. You are still signed in as before.",
  session_ended:
    "Your session ended while you were editing your profile, so it was not updated here. Please sign in again.",
};

export function isSignInErrorCode(value: unknown): value is SignInErrorCode {
  return typeof value === "string" && Object.hasOwn(signInErrorMessages, value);
}
