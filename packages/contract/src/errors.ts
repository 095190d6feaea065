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
  /** 403: a state-changing request came from another site (`Origin` mismatch). */
  crossSiteRequest: "cross_site_request",
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
};

export function isSignInErrorCode(value: unknown): value is SignInErrorCode {
  return typeof value === "string" && Object.hasOwn(signInErrorMessages, value);
}
