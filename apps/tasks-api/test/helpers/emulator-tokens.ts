// Real access tokens from the Entra emulator: the authorization code flow with PKCE, as the
// BFF runs it (authorize → sign-in form → consent → token endpoint), over HTTP.
import { createHash, randomBytes } from "node:crypto";
import { type Emulator, signInAs } from "@entra-bff/entra-emulator";

export const tasksScope = "api://00000000-0000-0000-0000-00000007a5c5/Tasks.ReadWrite";

export interface EmulatorTokens {
  accessToken: string;
  idToken: string;
  scope: string;
}

/**
 * Signs `user` (UPN) in to the emulator's first client (the BFF's dev registration) and
 * redeems the code for `scopes`. `tenant` is the authority segment: a tenant id, or
 * `organizations` for a user of another tenant.
 */
export async function tokensFor(
  emulator: Emulator,
  user: string,
  options: { scopes?: string[]; tenant?: string } = {},
): Promise<EmulatorTokens> {
  const client = emulator.clients[0]!;
  const secret = client.clientSecret ?? client.secrets?.[0]?.value;
  if (secret === undefined) throw new TypeError("the emulator's first client has no secret");
  const redirectUri = client.redirectUris[0]!;
  const tenant = options.tenant ?? emulator.tenantId;
  const scope = ["openid", "profile", "offline_access", ...(options.scopes ?? [tasksScope])].join(
    " ",
  );
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(`${emulator.browserUrl}/${tenant}/oauth2/v2.0/authorize`);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope,
    state: randomBytes(8).toString("hex"),
    nonce: randomBytes(8).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    login_hint: user,
  }).toString();
  const { location } = await signInAs(authorize.href, user);
  const code = new URL(location).searchParams.get("code");
  if (!code) throw new Error(`sign-in did not return a code: ${location}`);

  const response = await fetch(`${emulator.url}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: client.clientId,
      client_secret: secret,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      scope,
    }),
  });
  const body = (await response.json()) as Record<string, string>;
  if (!response.ok || !body.access_token) {
    throw new Error(`token request failed (${response.status}): ${JSON.stringify(body)}`);
  }
  return { accessToken: body.access_token, idToken: body.id_token!, scope: body.scope! };
}
