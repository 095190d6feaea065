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

export interface EntraErrorInput {
  error: string;
  /** The AADSTS number, e.g. 70008. */
  code: number;
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
  options: { now: number; correlationId?: string | undefined; errorBase: string },
): EntraErrorBody {
  const traceId = randomUUID();
  const correlationId = options.correlationId || randomUUID();
  const timestamp = entraTimestamp(options.now);
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

function consentRequiredMessage(clientId: string): string {
  return `The user or administrator has not consented to use the application with ID '${clientId}' named 'entra-bff dev-only'. Send an interactive authorization request for this user and resource.`;
}

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
  consentRequired: (clientId: string): EntraErrorInput => ({
    error: "invalid_grant",
    code: 65001,
    message: consentRequiredMessage(clientId),
    suberror: "consent_required",
  }),
  /** The same AADSTS65001 on the redirect of a `prompt=none` authorize request. */
  consentRequiredSilently: (clientId: string): EntraErrorInput => ({
    error: "consent_required",
    code: 65001,
    message: consentRequiredMessage(clientId),
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
  pkceRequired: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 9002325,
    message:
      "Proof Key for Code Exchange is required: send code_challenge with code_challenge_method=S256.",
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
