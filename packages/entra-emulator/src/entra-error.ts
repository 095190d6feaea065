/** Entra's token-endpoint error body: AADSTS code, trace and correlation ids, timestamp. */
import { randomUUID } from "node:crypto";

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
  claims?: string;
}

/** Azure AD B2C's error body: no AADSTS codes, trace ids or `error_uri`. */
export interface B2cErrorBody {
  error: string;
  error_description: string;
}

export interface EntraErrorInput {
  error: string;
  /** The AADSTS number, e.g. 70008 (an AADB2C number with `product: "b2c"`). */
  code: number;
  /**
   * Azure AD B2C's errors: `AADB2C<code>: …` and B2C's shorter body (`error`,
   * `error_description` ending in correlation id and timestamp), no `error_codes`.
   */
  product?: "b2c";
  message: string;
  suberror?: string;
  claims?: string;
}

/** Entra's timestamp style: `2024-05-21 14:13:51Z`. */
export function entraTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/**
 * Builds the JSON Entra returns on a failed token request. `correlationId` is the caller's
 * `client-request-id` when it sent one, as Entra echoes it.
 */
export function entraError(
  input: EntraErrorInput,
  options: {
    now: number;
    correlationId?: string | undefined;
    errorBase: string;
    /** The request's `x-ms-request-id`, which Entra's trace id is. */
    traceId?: string | undefined;
  },
): EntraErrorBody | B2cErrorBody {
  const traceId = options.traceId ?? randomUUID();
  const correlationId = options.correlationId || randomUUID();
  const timestamp = entraTimestamp(options.now);
  if (input.product === "b2c") {
    // B2C's shape, as apps see it: `AADB2C90118: The user has forgotten their password.\r\n
    // Correlation ID: …\r\nTimestamp: …\r\n`; the other members are Entra's only.
    return {
      error: input.error,
      error_description: `AADB2C${input.code}: ${input.message}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}\r\n`,
    };
  }
  const body: EntraErrorBody = {
    error: input.error,
    error_description: [
      `AADSTS${input.code}: ${input.message}`,
      `Trace ID: ${traceId}`,
      `Correlation ID: ${correlationId}`,
      `Timestamp: ${timestamp}`,
    ].join("\r\n"),
    error_codes: [input.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${options.errorBase}/error?code=${input.code}`,
  };
  if (input.suberror) body.suberror = input.suberror;
  if (input.claims) body.claims = input.claims;
  return body;
}

function consentRequiredMessage(clientId: string, name: string): string {
  return `The user or administrator has not consented to use the application with ID '${clientId}' named '${name}'. Send an interactive authorization request for this user and resource.`;
}

const defaultAppName = "entra-bff dev-only";

/** The AADSTS errors the emulator produces, with Entra's wording. */
export const aadsts = {
  missingParameter: (name: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 900144,
    message: `The request body must contain the following parameter: '${name}'.`,
  }),
  tenantNotFound: (tenant: string): EntraErrorInput => ({
    error: "invalid_tenant",
    code: 90002,
    message: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  }),
  unknownClient: (clientId: string, tenantId: string): EntraErrorInput => ({
    error: "unauthorized_client",
    code: 700016,
    message: `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  missingClientSecret: (): EntraErrorInput => ({
    error: "invalid_client",
    code: 7000218,
    message:
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  invalidClientSecret: (clientId: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  unsupportedGrantType: (grantType: string): EntraErrorInput => ({
    error: "unsupported_grant_type",
    code: 70003,
    message: `The app requested an unsupported grant type '${grantType}'.`,
  }),
  malformedGrant: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 9002313,
    message: "Invalid request. Request is malformed or invalid.",
  }),
  grantForOtherClient: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 70000,
    message: "Provided grant is invalid or malformed.",
  }),
  codeRedeemed: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 54005,
    message:
      "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
  }),
  codeExpired: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 70008,
    message:
      "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
  }),
  replyAddressMismatch: (sent: string, original: string): EntraErrorInput => ({
    error: "invalid_grant",
    code: 500112,
    message: `The reply address '${sent}' does not match the reply address '${original}' provided when requesting Authorization code.`,
  }),
  pkceMismatch: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 501481,
    message:
      "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
  }),
  refreshTokenExpired: (issuedAt: string): EntraErrorInput => ({
    error: "invalid_grant",
    code: 700082,
    message: `The refresh token has expired due to inactivity. The token was issued on ${issuedAt} and was inactive for 90.00:00:00.`,
  }),
  mfaRequired: (claims: string): EntraErrorInput => ({
    error: "interaction_required",
    code: 50076,
    message:
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
    // MSAL turns the error or this suberror into InteractionRequiredAuthError.
    suberror: "basic_action",
    claims,
  }),
  /**
   * At the token endpoint Entra answers `invalid_grant` with this suberror; MSAL turns the
   * suberror into InteractionRequiredAuthError (errorCode "invalid_grant").
   */
  consentRequired: (clientId: string, name = defaultAppName): EntraErrorInput => ({
    error: "invalid_grant",
    code: 65001,
    message: consentRequiredMessage(clientId, name),
    suberror: "consent_required",
  }),
  /** The same AADSTS65001 on the redirect of a `prompt=none` authorize request. */
  consentRequiredSilently: (clientId: string, name = defaultAppName): EntraErrorInput => ({
    error: "consent_required",
    code: 65001,
    message: consentRequiredMessage(clientId, name),
  }),
  /** /authorize: a permission the named resource does not expose. */
  scopeNotOnResource: (appName: string, scope: string, resourceId: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 650053,
    message: `The application '${appName}' asked for scope '${scope}' that doesn't exist on the resource '${resourceId}'. Contact the app vendor.`,
  }),
  /** /token: the same, as the token endpoint words it. */
  invalidScope: (scope: string): EntraErrorInput => ({
    error: "invalid_scope",
    code: 70011,
    message: `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' does not exist.`,
  }),
  /** One token has one audience: a token request may name one resource only. */
  multipleResources: (scope: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 28000,
    message: `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
  }),
  /** A code from /{tenant A}/authorize redeemed at /{tenant B}/token. */
  codeForOtherTenant: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 700005,
    message: "Provided Authorization Code is intended to use against other tenant, thus rejected.",
  }),
  /** A tenant whose users may not consent: only an administrator can grant the app. */
  adminConsentRequired: (): EntraErrorInput => ({
    error: "access_denied",
    code: 90094,
    message: "The grant requires admin permission.",
  }),
  /** A user of another tenant signing in to a single-tenant app (or at another tenant's URL). */
  userNotInTenant: (
    upn: string,
    userTenantId: string,
    tenantId: string,
    clientId: string,
    appName: string,
  ): EntraErrorInput => ({
    error: "invalid_request",
    code: 50020,
    message: `User account '${upn}' from identity provider 'https://sts.windows.net/${userTenantId}/' does not exist in tenant '${tenantId}' and cannot access the application '${clientId}'(${appName}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.`,
  }),
  /** The admin consent prompt's Cancel, as the admin consent endpoint reports it. */
  adminConsentDeclined: (): EntraErrorInput => ({
    error: "consent_required",
    code: 65004,
    message: "The resource owner or authorization server denied the request.",
  }),
  /** A URL that cannot be decoded (e.g. a malformed percent-encoding). */
  malformedUrl: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 90100,
    message: "The request URL is malformed: it could not be decoded.",
  }),
  temporarilyUnavailable: (): EntraErrorInput => ({
    error: "temporarily_unavailable",
    code: 90033,
    message: "A transient error has occurred. Please try again.",
  }),
  serverError: (): EntraErrorInput => ({
    error: "server_error",
    code: 50000,
    message: "There was an error issuing a token or an issue with our sign-in service.",
  }),
  invalidResource: (scope: string): EntraErrorInput => ({
    error: "invalid_resource",
    code: 500011,
    message: `The resource principal named ${scope} was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
  }),
  redirectUriMismatch: (redirectUri: string, clientId: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 50011,
    message: `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
  }),
  unsupportedResponseType: (responseType: string): EntraErrorInput => ({
    error: "unsupported_response_type",
    code: 700054,
    message: `response_type '${responseType}' is not enabled for the application.`,
  }),
  /** A SPA redirect URI (Entra), or `requirePkce` (the emulator's strict mode). */
  pkceRequired: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 9002325,
    message:
      "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
  }),
  /** The emulator's `requirePkce`: stricter than Entra, which accepts `plain`. */
  pkceS256Required: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 9002325,
    message:
      "Proof Key for Code Exchange is required: send code_challenge with code_challenge_method=S256 (this emulator runs with requirePkce).",
  }),
  invalidCodeChallengeMethod: (method: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 9002322,
    message: `Invalid input: code_challenge_method '${method}' is not supported; use S256 or plain.`,
  }),
  /** A code issued with PKCE redeemed without its verifier. */
  pkceVerifierMissing: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 501481,
    message:
      "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
  }),
  /** `response_mode=query` with a token in the answer. */
  queryResponseModeWithToken: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 70007,
    message: "'query' is not a supported value of 'response_mode' when requesting a token.",
  }),
  unsupportedResponseMode: (mode: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 900144,
    message: `The provided value for the input parameter 'response_mode' is not valid: '${mode}'. Expected values are 'query', 'fragment' and 'form_post'.`,
  }),
  /** A code redeemed from a browser (an `Origin` header) that was not issued for a SPA. */
  crossOriginNotSpa: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 9002326,
    message:
      "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
  }),
  /** A SPA's code (or refresh token) redeemed without an `Origin` header. */
  spaNeedsCrossOrigin: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 9002327,
    message:
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
  }),
  /** A public client (SPA, native) presenting a client credential. */
  publicClientWithCredential: (): EntraErrorInput => ({
    error: "invalid_client",
    code: 700025,
    message:
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
  }),
  spaRefreshTokenExpired: (issuedAt: string): EntraErrorInput => ({
    error: "invalid_grant",
    code: 700084,
    message: `The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on ${issuedAt}.`,
  }),
  /** `consumers`: the emulator's registrations are for work and school accounts only. */
  notEnabledForConsumers: (error = "unauthorized_client"): EntraErrorInput => ({
    error,
    code: 70002,
    message:
      "The client does not exist or is not enabled for consumers. If you are the application developer, configure a new application through the App Registrations in the Azure Portal at https://go.microsoft.com/fwlink/?linkid=2083908.",
  }),
  /** client_credentials with a scope other than `<resource>/.default`. */
  clientCredentialsScope: (scope: string): EntraErrorInput => ({
    error: "invalid_scope",
    code: 1002012,
    message: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  /** client_credentials without a client credential. */
  clientCredentialRequired: (): EntraErrorInput => ({
    error: "invalid_client",
    code: 7000216,
    message:
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
  }),
  authorizationPending: (): EntraErrorInput => ({
    error: "authorization_pending",
    code: 70016,
    message: "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
  }),
  authorizationDeclined: (): EntraErrorInput => ({
    error: "authorization_declined",
    code: 70000,
    message: "The user declined the device code sign-in.",
  }),
  badVerificationCode: (): EntraErrorInput => ({
    error: "bad_verification_code",
    code: 70000,
    message: "The device_code sent to the token endpoint was not recognized.",
  }),
  deviceCodeExpired: (): EntraErrorInput => ({
    error: "expired_token",
    code: 70020,
    message: "The provided authorization code or refresh token has expired due to inactivity.",
  }),
  /** The device code grant by an app that does not allow public client flows. */
  notPublicClient: (): EntraErrorInput => ({
    error: "invalid_client",
    code: 7000218,
    message:
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  /** OBO: the assertion is not a token for the app presenting it. */
  assertionAudience: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 50013,
    message:
      "Assertion failed signature validation. [Reason - The assertion audience does not match the client app presenting the assertion.]",
  }),
  assertionSignature: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 50013,
    message:
      "Assertion failed signature validation. [Reason - The key was not found or the signature is invalid.]",
  }),
  assertionExpired: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 500133,
    message:
      "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.",
  }),
  /** OBO with an app-only token: there is no user to act for. */
  assertionWithoutUser: (): EntraErrorInput => ({
    error: "invalid_grant",
    code: 50058,
    message:
      "The assertion is an app-only token: the on-behalf-of flow needs a token issued to a user.",
  }),
  requestedTokenUse: (value: string | undefined): EntraErrorInput => ({
    error: "invalid_request",
    code: 900144,
    message: `The request body must contain the following parameter: 'requested_token_use' with the value 'on_behalf_of' (got '${value ?? ""}').`,
  }),
  /** Entra answers a cancelled sign-in and a declined consent prompt alike. */
  userCancelled: (): EntraErrorInput => ({
    error: "access_denied",
    code: 65004,
    message: "User declined to consent to access the app.",
  }),
  loginRequired: (): EntraErrorInput => ({
    error: "login_required",
    code: 50058,
    message: "A silent sign-in request was sent but no user is signed in.",
  }),
};
