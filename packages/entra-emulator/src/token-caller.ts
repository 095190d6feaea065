/** What every grant at /token shares: who is calling, and whether it had to authenticate. */

import { aadsts } from "./entra-error.ts";
import { TokenError } from "./token-error.ts";
import type { ClientRegistration } from "./types.ts";

/** Who is asking: an authenticated confidential client, or a public one (no credential). */
export interface TokenCaller {
  client: ClientRegistration;
  /** `azpacr`/`appidacr`: 0 public client, 1 secret, 2 certificate or federated assertion. */
  authentication: "0" | "1" | "2";
  /** The browser sent the request (a SPA redeems cross-origin). */
  crossOrigin: boolean;
}

/** A grant only a confidential client may use: no credential → Entra's 401. */
export function requireConfidential(caller: TokenCaller, error = aadsts.missingClientSecret()) {
  if (caller.authentication === "0") throw new TokenError(401, error);
}

/** `common` and `organizations` are one multi-tenant audience; a tenant is itself. */
export function sameTenantSegment(a: string, b: string): boolean {
  const multi = (s: string) => s === "common" || s === "organizations";
  return a.toLowerCase() === b.toLowerCase() || (multi(a) && multi(b));
}
