/** Every public path of the BFF. The SPA, the BFF's routes and the tests import these. */
export const paths = {
  login: "/auth/login",
  callback: "/auth/callback",
  session: "/auth/session",
  logout: "/auth/logout",
  frontchannelLogout: "/auth/frontchannel-logout",
  /** `?tenant=<id or domain>`: sends a customer's admin to Entra's admin consent. */
  adminConsent: "/auth/admin-consent",
  /** The admin consent answer's redirect URI: `PUBLIC_ORIGIN` + this. */
  adminConsentCallback: "/auth/admin-consent/callback",
  /** The SPA page showing the outcome: `?result=granted&tenant=<tid>` or `?result=failed&error=<code>`. */
  adminConsentResult: "/admin-consent",
  /** `?returnTo=/path`: Azure AD B2C's profile editing user flow, then back (B2C_PROFILE_EDIT_POLICY). */
  editProfile: "/auth/edit-profile",
  me: "/api/me",
  /** Declared downstream APIs: `${apiPrefix}/<name>/<path>` (DOWNSTREAM_APIS_FILE). */
  apiPrefix: "/api",
  healthz: "/healthz",
  readyz: "/readyz",
} as const;

/**
 * Anti-forgery header required on every `/api/*` call and on `POST /auth/logout`.
 * A cross-site page cannot send a custom header without a CORS preflight, which the BFF
 * never grants (Duende BFF's `X-CSRF: 1`).
 */
export const csrfHeader = { name: "x-csrf", value: "1" } as const;

/** Query parameter on the SPA URL that carries a sign-in failure's code after `/auth/callback`. */
export const signInErrorParam = "authError";
