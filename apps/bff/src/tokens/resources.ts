// The resources the BFF holds access tokens for, each under its own cache key: Graph for
// /api/me, and one per declared API (Entra issues one token per resource and scope set).
import type { Config } from "../config.ts";
import { type DownstreamApi, resourceOf } from "../downstream/declarations.ts";
import type { TokenResource } from "./access-tokens.ts";

const graph = resourceOf("User.Read");

/**
 * /api/me's token: SCOPES plus the Graph scopes incremental consent added to the session
 * (kept for every renewal, as they were consented for this session's user).
 */
export function meResource(config: Config, sessionScopes: readonly string[]): TokenResource {
  return { id: "me", scopes: graphScopes(config, sessionScopes) };
}

/** The scopes a code redemption asks for: one resource only (Graph), like /api/me's. */
export function graphScopes(config: Config, sessionScopes: readonly string[]): string[] {
  return [...new Set([...config.scopes, ...sessionScopes])].filter(
    (scope) => resourceOf(scope) === graph,
  );
}

export function apiResource(api: DownstreamApi): TokenResource {
  return { id: `api:${api.name}`, scopes: api.scopes };
}
