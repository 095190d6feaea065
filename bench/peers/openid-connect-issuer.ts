// Which issuer setting express-openid-connect gets, decided from the emulator's discovery
// document (see bench/README.md: what we had to set).

/**
 * The issuer setting for express-openid-connect: the issuer itself (its README's way) once
 * the emulator's pages are https; until then the discovery document's URL over http, which
 * openid-client accepts in place of the issuer (then skipping only the check that the
 * document names the URL it came from), and which makes express-openid-connect allow http
 * endpoints (its local-development path) — openid-client 6 refuses an http authorization
 * endpoint otherwise. The ID token's issuer is still checked against the document's.
 */
export function openidConnectIssuerBaseUrl(
  metadata: { issuer: string; authorization_endpoint: string },
  httpDiscoveryUrl: string,
): string {
  return metadata.authorization_endpoint.startsWith("https:") ? metadata.issuer : httpDiscoveryUrl;
}
