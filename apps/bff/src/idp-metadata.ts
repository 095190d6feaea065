// The identity provider's OpenID configuration, loaded once in the background so that no
// request pays for discovery; /readyz reports whether it is loaded.
import { apiErrorCodes } from "@entra-bff/contract";
import type { FastifyBaseLogger } from "fastify";
import { untrustedCertificateHint } from "./ca-trust.ts";
import { BffError } from "./errors.ts";

export interface IdpMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  endSessionEndpoint: string | undefined;
  /** The document as fetched, for MSAL's `authorityMetadata`. */
  json: string;
}

export interface IdpMetadataSourceOptions {
  authority: string;
  timeoutMs: number;
  log: FastifyBaseLogger;
  /** First retry delay; doubles up to `maxRetryDelayMs`. */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * Fetches `${authority}/v2.0/.well-known/openid-configuration`, retrying with backoff until
 * it succeeds. Does not refresh a loaded document (signing keys rotate through `jwks_uri`,
 * which id-token.ts refetches on an unknown `kid`).
 */
export class IdpMetadataSource {
  readonly url: string;
  #metadata: IdpMetadata | undefined;
  #lastError = "not loaded yet";
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #waiters: Array<(metadata: IdpMetadata) => void> = [];
  readonly #options: Required<IdpMetadataSourceOptions>;

  constructor(options: IdpMetadataSourceOptions) {
    this.#options = { initialRetryDelayMs: 250, maxRetryDelayMs: 30_000, ...options };
    this.url = `${options.authority}/v2.0/.well-known/openid-configuration`;
  }

  /** Starts loading in the background; never throws. */
  start(): void {
    void this.#attempt(this.#options.initialRetryDelayMs);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  get loaded(): boolean {
    return this.#metadata !== undefined;
  }

  /** Why the metadata is not loaded, for /readyz and logs. */
  get lastError(): string {
    return this.#lastError;
  }

  /** The metadata, or a 503 `idp_unavailable` while it is not loaded. */
  get(): IdpMetadata {
    if (this.#metadata) return this.#metadata;
    throw new BffError(
      apiErrorCodes.idpUnavailable,
      503,
      `The identity provider's OpenID configuration (${this.url}) is not loaded yet: ${this.#lastError}.`,
      { retryAfter: "5" },
    );
  }

  /** Resolves once the metadata is loaded (for tests and start-up scripts). */
  whenLoaded(): Promise<IdpMetadata> {
    if (this.#metadata) return Promise.resolve(this.#metadata);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async #attempt(nextDelayMs: number): Promise<void> {
    if (this.#stopped) return;
    try {
      const metadata = await fetchMetadata(this.url, this.#options.timeoutMs);
      const wrongIssuer = issuerProblem(this.#options.authority, metadata.issuer);
      if (wrongIssuer) throw new Error(wrongIssuer);
      if (this.#stopped) return;
      this.#metadata = metadata;
      this.#options.log.info({ issuer: metadata.issuer }, "identity provider metadata loaded");
      for (const resolve of this.#waiters.splice(0)) resolve(metadata);
    } catch (error) {
      if (this.#stopped) return;
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#options.log.warn(
        { url: this.url, retryInMs: nextDelayMs, reason: this.#lastError },
        "identity provider metadata not loaded; retrying",
      );
      this.#timer = setTimeout(
        () => void this.#attempt(Math.min(nextDelayMs * 2, this.#options.maxRetryDelayMs)),
        nextDelayMs,
      );
      this.#timer.unref();
    }
  }
}

async function fetchMetadata(url: string, timeoutMs: number): Promise<IdpMetadata> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    throw new Error(
      name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : describeFetchError(error),
    );
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error("the answer is not JSON");
  }
  const str = (name: string) => {
    const value = document[name];
    if (typeof value !== "string" || value === "") throw new Error(`\`${name}\` is missing`);
    return value;
  };
  const https = (name: string) => {
    const value = str(name);
    // The client secret and the code go to the token endpoint; keys decide what we trust.
    if (!value.startsWith("https://")) throw new Error(`\`${name}\` is not an https URL`);
    return value;
  };
  const endSession = document.end_session_endpoint;
  return {
    issuer: str("issuer"),
    authorizationEndpoint: str("authorization_endpoint"),
    tokenEndpoint: https("token_endpoint"),
    jwksUri: https("jwks_uri"),
    endSessionEndpoint: typeof endSession === "string" && endSession ? endSession : undefined,
    json: text,
  };
}

const guid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** Entra's tenant for personal Microsoft accounts (the `consumers` authority). */
const consumersTenant = "9188040d-6c67-4c5b-b112-36a304b66dad";

/**
 * Why `issuer` is not the one the configured authority implies, or `undefined` when it is:
 * the authority's tenant GUID, Entra's `{tenantid}` template for `organizations`/`common`,
 * the consumers tenant for `consumers`, and some tenant's GUID for a domain name — always on
 * the authority's own host. Anything else (e.g. a document naming another tenant) would make
 * the BFF accept tokens of an issuer it was not configured for.
 */
export function issuerProblem(authority: string, issuer: string): string | undefined {
  const url = new URL(authority);
  const tenant = url.pathname.split("/").filter(Boolean)[0]?.toLowerCase() ?? "";
  const literal = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const origin = literal(url.origin);
  let expected: RegExp;
  let described: string;
  if (new RegExp(`^${guid}$`, "i").test(tenant)) {
    expected = new RegExp(`^${origin}/${literal(tenant)}/v2\\.0/?$`, "i");
    described = `${url.origin}/${tenant}/v2.0`;
  } else if (tenant === "organizations" || tenant === "common") {
    expected = new RegExp(`^${origin}/\\{tenantid\\}/v2\\.0/?$`);
    described = `${url.origin}/{tenantid}/v2.0`;
  } else if (tenant === "consumers") {
    expected = new RegExp(`^${origin}/${consumersTenant}/v2\\.0/?$`);
    described = `${url.origin}/${consumersTenant}/v2.0`;
  } else {
    // A tenant named by domain (contoso.onmicrosoft.com) or a B2C/External ID path: its
    // GUID is only known from the document, but it must be a tenant on this host.
    expected = new RegExp(`^${origin}/${guid}/v2\\.0/?$`, "i");
    described = `${url.origin}/<tenant id>/v2.0`;
  }
  if (expected.test(issuer)) return undefined;
  return `the discovery document's issuer "${issuer.slice(0, 200)}" is not the one ENTRA_AUTHORITY implies (${described}); check ENTRA_AUTHORITY and that it points at the right tenant`;
}

/** Undici hides the reason (ECONNREFUSED, certificate errors) in `cause`. */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}${untrustedCertificateHint(error.cause)}`;
}
