/** What client authentication keeps between requests: spent assertions, issuers, identities. */
import { randomBytes } from "node:crypto";
import type { JWTVerifyGetKey } from "jose";
import type { HostedIssuer } from "./federated-issuers.ts";
import { defaultManagedIdentities } from "./managed-identity.ts";
import type { ManagedIdentity } from "./types.ts";

export interface CredentialState {
  /**
   * `<client id> <jti>` of accepted certificate assertions → when they expire (ms): a
   * captured assertion must not authenticate a second request.
   */
  spentAssertions: Map<string, number>;
  /** Issuers the emulator hosts for tests, by name. */
  hostedIssuers: Map<string, HostedIssuer>;
  /** External issuers' keys, found through their discovery documents, by issuer. */
  remoteIssuerKeys: Map<string, JWTVerifyGetKey>;
  managedIdentities: ManagedIdentity[];
  /** The `X-IDENTITY-HEADER` value the identity endpoint requires (App Service's IDENTITY_HEADER). */
  identityHeader: string;
  allowAssertionReplay: boolean;
}

export function createCredentialState(
  options: { managedIdentities?: ManagedIdentity[]; allowAssertionReplay?: boolean } = {},
): CredentialState {
  return {
    spentAssertions: new Map(),
    hostedIssuers: new Map(),
    remoteIssuerKeys: new Map(),
    managedIdentities: options.managedIdentities ?? defaultManagedIdentities,
    allowAssertionReplay: options.allowAssertionReplay ?? false,
    identityHeader: `dev-only-${randomBytes(16).toString("hex")}`,
  };
}
