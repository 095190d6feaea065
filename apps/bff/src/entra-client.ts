// MSAL confidential clients, one per sign-in or renewal, so that no token cache is ever
// shared between users (ENTRA.md: a shared instance once showed a user another's account).
import * as msal from "@azure/msal-node";
import { describeFetchError } from "@entra-bff/service-kit";
import type { FastifyBaseLogger } from "fastify";
import { type Agent, request } from "undici";
import type { Config } from "./config.ts";
import {
  ClientCredentials,
  type CredentialAuth,
  credentialUnavailableCode,
} from "./credentials/client-credentials.ts";
import type { ClientCredentialSettings } from "./credentials/settings.ts";
import { createHttpAgent, isTimeout } from "./http-client.ts";
import type { IdpMetadata } from "./idp-metadata.ts";

/** `AuthError.errorCode`s raised by our network client, never by the identity provider. */
export const networkErrorCodes = {
  timeout: "bff_idp_timeout",
  unreachable: "bff_idp_unreachable",
  badResponse: "bff_idp_bad_response",
  /** A token file or the managed identity endpoint could not give the client assertion. */
  credentialUnavailable: credentialUnavailableCode,
} as const;

const credentialSets = new WeakMap<ClientCredentialSettings, ClientCredentials>();

/**
 * The client credentials of this configuration at run time (rotation state, fallbacks,
 * expiry): one per loaded configuration, shared by every request.
 */
export function clientCredentials(
  config: Pick<Config, "credentials" | "idpTimeoutMs">,
): ClientCredentials {
  let credentials = credentialSets.get(config.credentials);
  if (!credentials) {
    credentials = new ClientCredentials(config.credentials, {
      networkClient: new TimeoutNetworkClient(config.idpTimeoutMs),
    });
    credentialSets.set(config.credentials, credentials);
  }
  return credentials;
}

/**
 * A fresh client with an empty in-memory cache. The authority metadata is passed in, so
 * the client makes no discovery request. Callers must not keep it beyond one request.
 * Without `credential`, it carries the credential in use without re-reading any file: fine
 * for building URLs; token requests go through `withEntraClient`.
 */
export function createEntraClient(
  config: Config,
  metadata: IdpMetadata,
  log: FastifyBaseLogger,
  credential: CredentialAuth = clientCredentials(config).current(),
): msal.ConfidentialClientApplication {
  return new msal.ConfidentialClientApplication({
    auth: {
      clientId: config.clientId,
      ...credential,
      // The document's own authority: for B2C, the user flow it belongs to.
      authority: metadata.authority,
      // With the metadata passed in, MSAL makes no discovery or instance discovery request
      // (a custom URL domain, B2C and the emulator are no Microsoft cloud MSAL knows).
      knownAuthorities: [config.authorityHost],
      authorityMetadata: metadata.json,
      // CP1: we handle Continuous Access Evaluation claims challenges (graph-client.ts);
      // B2C has no CAE.
      ...(metadata.tenantKind === "b2c" ? {} : { clientCapabilities: ["CP1"] }),
    },
    system: {
      networkClient: new TimeoutNetworkClient(config.idpTimeoutMs),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: msal.LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (level <= msal.LogLevel.Error) log.error({ msal: message }, "msal");
          else log.warn({ msal: message }, "msal");
        },
      },
    },
  });
}

/**
 * Runs one token request (code redemption, refresh) on a fresh client. The one place every
 * call that presents the app's credential goes through, so that credential handling
 * (rotation, fallback to the next credential) lives here and nowhere else.
 */
export async function withEntraClient<T>(
  config: Config,
  metadata: IdpMetadata,
  log: FastifyBaseLogger,
  call: (client: msal.ConfidentialClientApplication) => Promise<T>,
): Promise<T> {
  // Each attempt gets a new client: MSAL keeps a signed client assertion for 10 minutes
  // per instance, and the next credential needs an instance of its own anyway.
  return clientCredentials(config).run(log, (credential) =>
    call(createEntraClient(config, metadata, log, credential)),
  );
}

/**
 * MSAL's default client puts no timeout on POSTs (the token endpoint), so an IdP that hangs
 * would hang our requests. Errors are `AuthError`s because MSAL passes those through unchanged.
 */
export class TimeoutNetworkClient implements msal.INetworkModule {
  readonly #timeoutMs: number;
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  sendGetRequestAsync<T>(
    url: string,
    options?: msal.NetworkRequestOptions,
    timeout?: number,
  ): Promise<msal.NetworkResponse<T>> {
    return this.#send<T>(
      url,
      "GET",
      options,
      Math.min(timeout ?? this.#timeoutMs, this.#timeoutMs),
    );
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: msal.NetworkRequestOptions,
  ): Promise<msal.NetworkResponse<T>> {
    return this.#send<T>(url, "POST", options, this.#timeoutMs);
  }

  async #send<T>(
    url: string,
    method: "GET" | "POST",
    options: msal.NetworkRequestOptions | undefined,
    timeoutMs: number,
  ): Promise<msal.NetworkResponse<T>> {
    let status: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      // undici's own timeouts rather than an AbortSignal timer per call; no redirect is
      // followed (a 3xx is not JSON, so it is reported as a bad answer below).
      const answer = await request(url, {
        dispatcher: idpAgent(),
        method,
        headers: options?.headers ?? {},
        ...(method === "POST" ? { body: options?.body ?? "" } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = answer.statusCode;
      responseHeaders = answer.headers;
      text = await answer.body.text();
    } catch (error) {
      if (isTimeout(error)) {
        throw new msal.AuthError(
          networkErrorCodes.timeout,
          "",
          `${method} ${url} did not answer within ${timeoutMs} ms`,
        );
      }
      throw new msal.AuthError(
        networkErrorCodes.unreachable,
        "",
        `${method} ${url} failed: ${describeFetchError(error)}`,
      );
    }
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      // MSAL parses every IdP answer as JSON; an HTML error page from a proxy is an outage.
      throw new msal.AuthError(
        networkErrorCodes.badResponse,
        "",
        `${method} ${url} answered HTTP ${status} with a body that is not JSON`,
      );
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(responseHeaders)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value;
    }
    return { headers, body, status };
  }
}

let sharedIdpAgent: Agent | undefined;

/**
 * One keep-alive connection pool for the identity provider's token endpoint, shared by every
 * MSAL client (they are created per sign-in and renewal): each token request reuses a TLS
 * connection instead of paying a handshake. Idle sockets do not keep the process alive.
 */
function idpAgent(): Agent {
  sharedIdpAgent ??= createHttpAgent();
  return sharedIdpAgent;
}

/** How a failed MSAL call should be reported. */
export type IdpFailure =
  /** The user must sign in again, satisfying `claims` when given (Conditional Access). */
  | { kind: "interaction_required"; claims: string | undefined }
  /** The user has not consented (or no longer consents) to a requested scope: AADSTS65001. */
  | { kind: "consent_required" }
  /** The refresh token or code is no good (`invalid_grant`): the user must sign in again. */
  | { kind: "rejected" }
  /** No answer within IDP_TIMEOUT_MS. */
  | { kind: "timeout" }
  /** Unreachable, 5xx, `temporarily_unavailable`, or not JSON: worth retrying later. */
  | { kind: "unavailable" }
  /** Any other error answer. */
  | { kind: "error" };

/**
 * Classifies an error thrown by an MSAL token call. `invalid_grant` without a suberror
 * (e.g. AADSTS700082, refresh token expired) is a plain `ServerError` in MSAL, but it means
 * "sign in again" just like `InteractionRequiredAuthError`.
 */
export function classifyIdpError(error: unknown): IdpFailure {
  if (error instanceof msal.AuthError && isConsentRequired(error)) {
    return { kind: "consent_required" };
  }
  if (error instanceof msal.InteractionRequiredAuthError) {
    return { kind: "interaction_required", claims: error.claims || undefined };
  }
  if (error instanceof msal.AuthError) {
    switch (error.errorCode) {
      case networkErrorCodes.timeout:
        return { kind: "timeout" };
      case networkErrorCodes.unreachable:
      case networkErrorCodes.badResponse:
      case networkErrorCodes.credentialUnavailable:
      case "temporarily_unavailable":
      case "server_error":
        return { kind: "unavailable" };
      case "invalid_grant":
      case "interaction_required":
      case "login_required":
      case "consent_required":
        return { kind: "rejected" };
    }
    if (error instanceof msal.ServerError) {
      return (error.status ?? 0) >= 500 ? { kind: "unavailable" } : { kind: "error" };
    }
  }
  return { kind: "error" };
}

/** Entra answers AADSTS65001 as `invalid_grant` with `suberror: consent_required`. */
function isConsentRequired(error: msal.AuthError): boolean {
  return error.errorCode === "consent_required" || error.subError === "consent_required";
}

/**
 * The refresh token MSAL just cached. `AuthenticationResult` does not expose it, so read it
 * from this request's own (single-user) cache.
 */
export function cachedRefreshToken(client: msal.ConfidentialClientApplication): string | undefined {
  const cache = JSON.parse(client.getTokenCache().serialize()) as Partial<msal.JsonCache>;
  const entries = Object.values(cache.RefreshToken ?? {});
  return entries.at(-1)?.secret;
}
