import { randomUUID } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import * as msal from "@azure/msal-node";
import type { Emulator } from "../src/index.ts";

export const redirectUri = "http://localhost:3000/auth/callback";

/** A confidential client pointed at the emulator by configuration alone. */
export function msalClient(emulator: Emulator, authority = emulator.authority) {
  const client = emulator.clients[0]!;
  return new msal.ConfidentialClientApplication({
    auth: {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authority,
      knownAuthorities: [new URL(emulator.url).host],
    },
  });
}

/** What a BFF keeps across the redirect: PKCE verifier, state, nonce. */
export async function beginSignIn(cca: msal.ConfidentialClientApplication, scopes = ["User.Read"]) {
  const { verifier, challenge } = await new msal.CryptoProvider().generatePkceCodes();
  const state = randomUUID();
  const nonce = randomUUID();
  const url = await cca.getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state,
    nonce,
  });
  return { url, verifier, state, nonce, scopes };
}

export function callbackParams(location: string) {
  return Object.fromEntries(new URL(location).searchParams);
}

export interface GraphError {
  error: {
    code: string;
    message: string;
    innerError: { date: string; "request-id": string; "client-request-id": string };
  };
}

export interface EntraError {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  suberror?: string;
  claims?: string;
}

export interface TokenResponse {
  token_type: string;
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** The authorize URL a client would build, over the browser (http) base. */
export function authorizeUrl(
  emulator: Emulator,
  params: Record<string, string | undefined>,
  tenant = emulator.tenantId,
) {
  const url = new URL(`${emulator.browserUrl}/${tenant}/oauth2/v2.0/authorize`);
  const defaults: Record<string, string | undefined> = {
    client_id: emulator.clients[0]!.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "User.Read openid profile offline_access",
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    state: "state-1",
    // As MSAL sends it: the account id (client_info) comes back with the code.
    client_info: "1",
  };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.href;
}

/** RFC 7636 appendix B's example pair. */
export const pkce = {
  verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
  challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
};

export function tokenRequest(
  emulator: Emulator,
  params: Record<string, string | undefined>,
  init: { headers?: Record<string, string>; tenant?: string; signal?: AbortSignal } = {},
) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) body.set(key, value);
  }
  return fetch(`${emulator.url}/${init.tenant ?? emulator.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...init.headers },
    body,
    signal: init.signal ?? null,
  });
}

/** Signs in over HTTP and redeems the code with client_secret_post; returns the tokens. */
export async function signInAndRedeem(
  emulator: Emulator,
  signInAs: (url: string, user: string | number) => Promise<{ location: string }>,
  params: Record<string, string | undefined> = {},
) {
  const { location } = await signInAs(authorizeUrl(emulator, params), 0);
  const code = new URL(location).searchParams.get("code")!;
  const client = emulator.clients[0]!;
  const response = await tokenRequest(emulator, {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    client_info: "1",
  });
  return (await response.json()) as TokenResponse;
}

export function graphMe(emulator: Emulator, accessToken: string | undefined) {
  return fetch(`${emulator.graphBaseUrl}/me`, {
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  });
}

/** A port free a moment ago, for tests that must know the URL before the emulator starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
