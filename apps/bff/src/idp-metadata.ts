// The identity provider's OpenID configuration, loaded once in the background so that no
// request pays for discovery; /readyz reports whether it is loaded.
import { apiErrorCodes } from "@entra-bff/contract";
import { fetchJsonDocument } from "@entra-bff/service-kit";
import type { FastifyBaseLogger } from "fastify";
import { BffError } from "./errors.ts";
import type { TenantKind, UserFlow } from "./tenant-kind.ts";

export interface IdpMetadata {
  /** The authority this document is for (MSAL's `authority` beside `authorityMetadata`). */
  authority: string;
  tenantKind: TenantKind;
  /** B2C: the user flow (policy) the document belongs to, as configured. */
  policy: string | undefined;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  endSessionEndpoint: string | undefined;
  /** The document as fetched, for MSAL's `authorityMetadata`. */
  json: string;
}

export interface IdpMetadataSourceOptions {
  /** The sign-in authority (B2C: the sign-up/sign-in user flow's). */
  authority: string;
  /** Default workforce: which issuer rules the documents must meet. */
  tenantKind?: TenantKind;
  /**
   * B2C: every user flow, sign-up/sign-in first; each has a document of its own (its own
   * endpoints), and all must be loaded for the BFF to be ready.
   */
  userFlows?: UserFlow[];
  timeoutMs: number;
  log: FastifyBaseLogger;
  /** First retry delay; doubles up to `maxRetryDelayMs`. */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/** One authority's document, loading in the background until it succeeds. */
interface MetadataDocument {
  authority: string;
  policy: string | undefined;
  url: string;
  metadata: IdpMetadata | undefined;
  lastError: string;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Fetches `${authority}/v2.0/.well-known/openid-configuration` (for B2C, each user flow's),
 * retrying with backoff until it succeeds. Does not refresh a loaded document (signing keys
 * rotate through `jwks_uri`, which id-token.ts refetches on an unknown `kid`).
 */
export class IdpMetadataSource {
  readonly url: string;
  #documents: MetadataDocument[];
  #stopped = false;
  #waiters: Array<(metadata: IdpMetadata) => void> = [];
  readonly #options: Required<Omit<IdpMetadataSourceOptions, "userFlows">>;

  constructor(options: IdpMetadataSourceOptions) {
    this.#options = {
      initialRetryDelayMs: 250,
      maxRetryDelayMs: 30_000,
      tenantKind: "workforce",
      ...options,
    };
    const flows =
      options.userFlows && options.userFlows.length > 0
        ? options.userFlows
        : [{ policy: undefined, authority: options.authority }];
    this.#documents = flows.map((flow) => ({
      authority: flow.authority,
      policy: flow.policy,
      url: `${flow.authority}/v2.0/.well-known/openid-configuration`,
      metadata: undefined,
      lastError: "not loaded yet",
      timer: undefined,
    }));
    this.url = this.#documents[0]!.url;
  }

  /** Starts loading in the background; never throws. */
  start(): void {
    for (const document of this.#documents) {
      void this.#attempt(document, this.#options.initialRetryDelayMs);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const document of this.#documents) clearTimeout(document.timer);
  }

  /** Every document is loaded (for B2C, every user flow's). */
  get loaded(): boolean {
    return this.#documents.every((document) => document.metadata !== undefined);
  }

  /** Why the metadata is not loaded, for /readyz and logs (which user flow, for B2C). */
  get lastError(): string {
    const missing = this.#documents.find((document) => document.metadata === undefined);
    if (!missing) return "";
    return missing.policy && this.#documents.length > 1
      ? `user flow ${missing.policy}: ${missing.lastError}`
      : missing.lastError;
  }

  /** Whether a B2C user flow of this name is configured (policy names are case-insensitive). */
  has(policy: string): boolean {
    return this.#documents.some((d) => d.policy?.toLowerCase() === policy.toLowerCase());
  }

  /**
   * The sign-in authority's metadata, or a B2C user flow's by policy name; a 503
   * `idp_unavailable` while it is not loaded. Throws a TypeError for a policy not configured.
   */
  get(policy?: string): IdpMetadata {
    const document =
      policy === undefined
        ? this.#documents[0]!
        : this.#documents.find((d) => d.policy?.toLowerCase() === policy.toLowerCase());
    if (!document) throw new TypeError(`no user flow ${policy} is configured`);
    if (document.metadata) return document.metadata;
    throw new BffError(
      apiErrorCodes.idpUnavailable,
      503,
      `The identity provider's OpenID configuration (${document.url}) is not loaded yet: ${document.lastError}.`,
      { retryAfter: "5" },
    );
  }

  /** Resolves once every document is loaded, with the sign-in authority's (tests, start-up). */
  whenLoaded(): Promise<IdpMetadata> {
    if (this.loaded) return Promise.resolve(this.#documents[0]!.metadata!);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async #attempt(document: MetadataDocument, nextDelayMs: number): Promise<void> {
    if (this.#stopped) return;
    try {
      const metadata = await fetchMetadata(document.url, this.#options.timeoutMs);
      const wrongIssuer = issuerProblem(
        document.authority,
        metadata.issuer,
        this.#options.tenantKind,
        document.policy,
      );
      if (wrongIssuer) throw new Error(wrongIssuer);
      if (this.#stopped) return;
      document.metadata = {
        ...metadata,
        authority: document.authority,
        tenantKind: this.#options.tenantKind,
        policy: document.policy,
      };
      this.#options.log.info(
        { issuer: metadata.issuer, ...(document.policy ? { userFlow: document.policy } : {}) },
        "identity provider metadata loaded",
      );
      if (this.loaded) {
        for (const resolve of this.#waiters.splice(0)) resolve(this.#documents[0]!.metadata!);
      }
    } catch (error) {
      if (this.#stopped) return;
      document.lastError = error instanceof Error ? error.message : String(error);
      this.#options.log.warn(
        { url: document.url, retryInMs: nextDelayMs, reason: document.lastError },
        "identity provider metadata not loaded; retrying",
      );
      document.timer = setTimeout(
        () =>
          void this.#attempt(document, Math.min(nextDelayMs * 2, this.#options.maxRetryDelayMs)),
        nextDelayMs,
      );
      document.timer.unref();
    }
  }
}

type FetchedMetadata = Omit<IdpMetadata, "authority" | "tenantKind" | "policy">;

async function fetchMetadata(url: string, timeoutMs: number): Promise<FetchedMetadata> {
  const { document, text } = await fetchJsonDocument(url, timeoutMs);
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
const literal = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Why `issuer` is not the one the configured authority implies for its kind of tenant, or
 * `undefined` when it is. Anything else (e.g. a document naming another tenant, or another
 * kind of tenant) would make the BFF accept tokens of an issuer it was not configured for.
 *
 * - workforce: on the authority's own host, `/<tenant id>/v2.0` (no trailing slash): the
 *   authority's tenant GUID, Entra's `{tenantid}` template for `organizations`/`common`, the
 *   consumers tenant for `consumers`, some tenant's GUID for a domain name.
 * - external: `https://<tenant id>.ciamlogin.com/<tenant id>/v2.0` whatever host the app
 *   signs in at (a custom URL domain too); the authority's tenant when it names a GUID.
 * - b2c: on the authority's host, `/<tenant id>/v2.0/` (B2C's trailing slash), or the
 *   user flow's `/tfp/<tenant id>/<policy>/v2.0/`.
 */
export function issuerProblem(
  authority: string,
  issuer: string,
  kind: TenantKind = "workforce",
  policy?: string,
): string | undefined {
  const url = new URL(authority);
  const tenant = url.pathname.split("/").filter(Boolean)[0]?.toLowerCase() ?? "";
  const origin = literal(url.origin);
  const namesGuid = new RegExp(`^${guid}$`, "i").test(tenant);
  let expected: RegExp;
  let described: string;
  if (kind === "external") {
    const id = namesGuid ? literal(tenant) : `(${guid})`;
    expected = new RegExp(
      `^https://${id}\\.ciamlogin\\.com/${namesGuid ? id : "\\1"}/v2\\.0$`,
      "i",
    );
    described = `https://${namesGuid ? tenant : "<tenant id>"}.ciamlogin.com/${namesGuid ? tenant : "<tenant id>"}/v2.0`;
  } else if (kind === "b2c") {
    const flow = policy ? literal(policy) : "[^/]+";
    const id = namesGuid ? literal(tenant) : guid;
    expected = new RegExp(`^${origin}/(?:tfp/${id}/${flow}|${id})/v2\\.0/$`, "i");
    described = `${url.origin}/<tenant id>/v2.0/ (or ${url.origin}/tfp/<tenant id>/${policy ?? "<policy>"}/v2.0/)`;
  } else if (namesGuid) {
    expected = new RegExp(`^${origin}/${literal(tenant)}/v2\\.0$`, "i");
    described = `${url.origin}/${tenant}/v2.0`;
  } else if (tenant === "organizations" || tenant === "common") {
    expected = new RegExp(`^${origin}/\\{tenantid\\}/v2\\.0$`);
    described = `${url.origin}/{tenantid}/v2.0`;
  } else if (tenant === "consumers") {
    expected = new RegExp(`^${origin}/${consumersTenant}/v2\\.0$`);
    described = `${url.origin}/${consumersTenant}/v2.0`;
  } else {
    // A tenant named by domain (contoso.onmicrosoft.com): its GUID is only known from the
    // document, but it must be a tenant on this host.
    expected = new RegExp(`^${origin}/${guid}/v2\\.0$`, "i");
    described = `${url.origin}/<tenant id>/v2.0`;
  }
  if (expected.test(issuer)) return undefined;
  const kindName = { workforce: "an Entra ID", external: "an External ID", b2c: "an Azure AD B2C" }[
    kind
  ];
  return `the discovery document's issuer "${issuer.slice(0, 200)}" is not the one ENTRA_AUTHORITY implies for ${kindName} tenant (${described}); check ENTRA_AUTHORITY, ENTRA_TENANT_KIND and that it points at the right tenant`;
}

/** The tenant id an issuer of `kind` names (B2C and External ID: in place of a `tid` claim). */
export function issuerTenant(issuer: string, kind: TenantKind): string | undefined {
  const path = new URL(issuer).pathname.split("/").filter(Boolean);
  const id = kind === "b2c" && path[0]?.toLowerCase() === "tfp" ? path[1] : path[0];
  return id && new RegExp(`^${guid}$`, "i").test(id) ? id.toLowerCase() : undefined;
}
