// The token issuer this API trusts: its OpenID configuration and signing keys, loaded in the
// background at start (no request pays for discovery); /readyz reports whether they are.
import { apiErrorCodes } from "@entra-bff/contract";
import { describeFetchError, fetchJsonDocument } from "@entra-bff/service-kit";
import type { FastifyBaseLogger } from "fastify";
import { createRemoteJWKSet, customFetch, type JSONWebKeySet, type RemoteJWKSet } from "jose";
import { TasksApiError } from "../errors.ts";

/** The authority's keys: jose's cached remote set plus each key's `issuer` (Entra publishes it). */
export interface SigningKeys {
  resolve: RemoteJWKSet;
  /** `kid` → the key's `issuer` property, when the JWKS names one (may hold `{tenantid}`). */
  issuerOf(kid: string): string | undefined;
}

export interface Authority {
  /** The discovery document's `issuer`; `{tenantid}` for common / organizations. */
  issuer: string;
  jwksUri: string;
  keys: SigningKeys;
}

export interface AuthoritySourceOptions {
  authority: string;
  timeoutMs: number;
  log: FastifyBaseLogger;
  /** First retry delay; doubles up to `maxRetryDelayMs`. */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How often the keys are refreshed in the background (last good keys stay on failure). */
  keysRefreshMs?: number;
}

/** An unknown `kid` refetches the keys at most this often: a flood of forged kids costs one fetch. */
const unknownKidCooldownMs = 30_000;

/**
 * Fetches `${authority}/v2.0/.well-known/openid-configuration`, then the `jwks_uri` keys,
 * retrying with backoff until both succeed. Afterwards jose refetches the keys when a token
 * names an unknown `kid` (at most every 30 s) and this class refreshes them hourly; a failed
 * refresh keeps the last good keys. Does not reload the discovery document.
 */
export class AuthoritySource {
  readonly url: string;
  #authority: Authority | undefined;
  #lastError = "not loaded yet";
  #timer: NodeJS.Timeout | undefined;
  #refresh: NodeJS.Timeout | undefined;
  #stopped = false;
  #waiters: Array<(authority: Authority) => void> = [];
  readonly #options: Required<AuthoritySourceOptions>;

  constructor(options: AuthoritySourceOptions) {
    this.#options = {
      initialRetryDelayMs: 250,
      maxRetryDelayMs: 30_000,
      keysRefreshMs: 3_600_000,
      ...options,
    };
    this.url = `${options.authority}/v2.0/.well-known/openid-configuration`;
  }

  /** Starts loading in the background; never throws. */
  start(): void {
    void this.#attempt(this.#options.initialRetryDelayMs);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#refresh);
  }

  get loaded(): boolean {
    return this.#authority !== undefined;
  }

  /** Why the authority is not loaded, for /readyz and logs. */
  get lastError(): string {
    return this.#lastError;
  }

  /** The loaded authority, or a 503 `idp_unavailable` while it is not loaded. */
  get(): Authority {
    if (this.#authority) return this.#authority;
    throw new TasksApiError(
      apiErrorCodes.idpUnavailable,
      503,
      `The token issuer's configuration (${this.url}) is not loaded yet, so no token can be checked: ${this.#lastError}.`,
      { retryAfter: "5" },
    );
  }

  /** Resolves once loaded (for tests and start-up). */
  whenLoaded(): Promise<Authority> {
    if (this.#authority) return Promise.resolve(this.#authority);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async #attempt(nextDelayMs: number): Promise<void> {
    if (this.#stopped) return;
    try {
      const { issuer, jwksUri } = await fetchDiscovery(this.url, this.#options.timeoutMs);
      const keys = createSigningKeys(jwksUri, this.#options.timeoutMs);
      await keys.resolve.reload().catch((error: unknown) => {
        throw new Error(`signing keys (${jwksUri}): ${describeFetchError(error)}`);
      });
      if (this.#stopped) return;
      this.#authority = { issuer, jwksUri, keys };
      this.#refresh = setInterval(() => {
        keys.resolve.reload().catch((error: unknown) => {
          this.#options.log.warn(
            { jwksUri, reason: describeFetchError(error) },
            "signing keys not refreshed; keeping the last good keys",
          );
        });
      }, this.#options.keysRefreshMs);
      this.#refresh.unref();
      this.#options.log.info({ issuer, jwksUri }, "token issuer metadata and keys loaded");
      for (const resolve of this.#waiters.splice(0)) resolve(this.#authority);
    } catch (error) {
      if (this.#stopped) return;
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#options.log.warn(
        { url: this.url, retryInMs: nextDelayMs, reason: this.#lastError },
        "token issuer not loaded; retrying",
      );
      this.#timer = setTimeout(
        () => void this.#attempt(Math.min(nextDelayMs * 2, this.#options.maxRetryDelayMs)),
        nextDelayMs,
      );
      this.#timer.unref();
    }
  }
}

function createSigningKeys(jwksUri: string, timeoutMs: number): SigningKeys {
  let issuers = new Map<string, string>();
  const resolve = createRemoteJWKSet(new URL(jwksUri), {
    timeoutDuration: timeoutMs,
    cooldownDuration: unknownKidCooldownMs,
    // Stale keys are refetched before use; the hourly refresh keeps them fresh, so this only
    // bites when the authority has been unreachable for a day: then fail closed.
    cacheMaxAge: 24 * 3_600_000,
    // Reads each key's `issuer` from the same response jose caches (jose does not expose it).
    [customFetch]: async (url, options) => {
      const response = await fetch(url, options);
      if (response.status === 200) {
        const body = (await response
          .clone()
          .json()
          .catch(() => undefined)) as JSONWebKeySet | undefined;
        if (Array.isArray(body?.keys)) {
          issuers = new Map(
            body.keys.flatMap((key) => {
              const { kid, issuer } = key as { kid?: unknown; issuer?: unknown };
              return typeof kid === "string" && typeof issuer === "string" ? [[kid, issuer]] : [];
            }),
          );
        }
      }
      return response;
    },
  });
  return { resolve, issuerOf: (kid) => issuers.get(kid) };
}

async function fetchDiscovery(
  url: string,
  timeoutMs: number,
): Promise<{ issuer: string; jwksUri: string }> {
  const { document } = await fetchJsonDocument(url, timeoutMs);
  const issuer = document.issuer;
  const jwksUri = document.jwks_uri;
  if (typeof issuer !== "string" || issuer === "") throw new Error("`issuer` is missing");
  // The keys decide which tokens we trust: never fetched over plain http.
  if (typeof jwksUri !== "string" || !jwksUri.startsWith("https://")) {
    throw new Error("`jwks_uri` is missing or not an https URL");
  }
  return { issuer, jwksUri };
}
