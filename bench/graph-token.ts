// A Graph access token for the benchmark's own direct calls to the emulator's Graph, so the
// BFF's /api/me can be compared with Graph alone. Obtained with the benchmark's own client
// registration (authorization code + PKCE); the BFF's tokens never leave the BFF.
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { type ClientRegistration, type Emulator, signInAs } from "@entra-bff/entra-emulator";

const scope = "openid profile offline_access User.Read";

export async function graphAccessToken(
  emulator: Emulator,
  client: ClientRegistration,
  upn: string,
): Promise<string> {
  // This process started before the emulator made its CA, so NODE_EXTRA_CA_CERTS cannot
  // help here: pass the CA to each request instead.
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

  const tokens = (await httpsJson(
    metadata.token_endpoint,
    ca,
    new URLSearchParams({
      grant_type: "authorization_code",
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      scope,
    }),
  )) as { access_token?: string };
  if (!tokens.access_token) throw new Error("the emulator's token response has no access_token");
  return tokens.access_token;
}

/** GET, or POST of a form when `form` is given; rejects any answer but 200. */
function httpsJson(url: string, ca: string, form?: URLSearchParams): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const body = form?.toString();
    const req = request(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        ca,
        timeout: 10_000,
        headers: body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200)
            reject(new Error(`${url} answered ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url} did not answer in 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}
