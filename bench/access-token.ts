// Access tokens for the benchmark's own direct calls (Graph, the Tasks API) and for the bare
// proxy, so that the BFF's calls can be compared with the upstream alone. Obtained with the
// benchmark's own client registration (authorization code + PKCE); the BFF's tokens never
// leave the BFF.
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type ClientRegistration, type Emulator, signInAs } from "@entra-bff/entra-emulator";
import { httpsJson } from "./emulator-https.ts";

/** An access token for `scopes` (one resource, e.g. ["User.Read"]), signed in as `upn`. */
export async function accessToken(
  emulator: Emulator,
  client: ClientRegistration,
  upn: string,
  scopes: string[],
): Promise<string> {
  const scope = ["openid", "profile", "offline_access", ...scopes].join(" ");
  const secret = client.clientSecret;
  if (!secret) throw new TypeError("the benchmark's client registration needs a client secret");
  const ca = await readFile(emulator.caFile, "utf8");
  const metadata = (await httpsJson(
    `${emulator.authority}/v2.0/.well-known/openid-configuration`,
    ca,
  )) as { authorization_endpoint: string; token_endpoint: string };

  const verifier = randomBytes(32).toString("base64url");
  const redirectUri = client.redirectUris[0]!;
  const authorize = new URL(metadata.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: "code",
    response_mode: "query",
    redirect_uri: redirectUri,
    scope,
    state: randomBytes(16).toString("base64url"),
    nonce: randomBytes(16).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const { location } = await signInAs(authorize.href, upn);
  const code = new URL(location).searchParams.get("code");
  if (!code) throw new Error("the emulator's sign-in returned no authorization code");

  const tokens = (await httpsJson(metadata.token_endpoint, ca, {
    form: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: client.clientId,
      client_secret: secret,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      scope,
    }),
  })) as { access_token?: string };
  if (!tokens.access_token) throw new Error("the emulator's token response has no access_token");
  return tokens.access_token;
}
