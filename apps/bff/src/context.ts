// What the routes share: settings, the clock, the IdP metadata and the cookie stores.
import type { Dispatcher } from "undici";
import type { Config } from "./config.ts";
import { createIdTokenValidator, type IdTokenValidator } from "./id-token.ts";
import type { IdpMetadata, IdpMetadataSource } from "./idp-metadata.ts";
import type { Metrics } from "./metrics.ts";
import type { CookieNames } from "./session/cookies.ts";
import type { RevocationStore } from "./session/revocation.ts";
import type { TokenStore } from "./session/token-store.ts";
import type { TransactionStore } from "./session/transaction.ts";
import type { AccessTokens } from "./tokens/access-tokens.ts";

export interface BffContext {
  config: Config;
  /** Epoch milliseconds; injectable so tests control expiry instead of sleeping. */
  now: () => number;
  idp: IdpMetadataSource;
  /** The validator for the loaded metadata (one JWKS cache for the process). */
  idTokenValidator: (metadata: IdpMetadata) => IdTokenValidator;
  cookies: CookieNames;
  tokens: TokenStore;
  transactions: TransactionStore;
  /** Sessions ended by logout, refused until their absolute expiry. */
  revocations: RevocationStore;
  /** Access tokens per session and resource, renewed on one path for every API. */
  accessTokens: AccessTokens;
  /** The HTTP client for Graph and the declared APIs (keep-alive pools). */
  http: Dispatcher;
  /** Always counted; exposed only when METRICS_PORT is set (server.ts). */
  metrics: Metrics;
}

export interface RouteOptions {
  context: BffContext;
}

/**
 * One validator (and JWKS cache) per loaded document: B2C has one per user flow, each
 * expecting its own policy in the token.
 */
export function idTokenValidatorFactory(config: Config, now: () => number) {
  const validators = new WeakMap<IdpMetadata, IdTokenValidator>();
  return (metadata: IdpMetadata): IdTokenValidator => {
    let validate = validators.get(metadata);
    if (!validate) {
      validate = createIdTokenValidator({
        issuer: metadata.issuer,
        jwksUri: metadata.jwksUri,
        clientId: config.clientId,
        timeoutMs: config.idpTimeoutMs,
        now,
        tenantKind: metadata.tenantKind,
        policy: metadata.policy,
      });
      validators.set(metadata, validate);
    }
    return validate;
  };
}
