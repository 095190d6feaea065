/** Graph test helpers: tokens the emulator issues to a signed-in person, and Graph calls. */
import { expect } from "vitest";
import { type Emulator, signInAs } from "../src/index.ts";
import {
  authorizeUrl,
  type GraphError,
  pkce,
  redirectUri,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

export const userRead = "User.Read openid profile offline_access";
export const readBasic = "User.ReadBasic.All openid profile offline_access";
export const readAll = "User.Read.All openid profile offline_access";

/**
 * Signs `user` in (accepting any consent prompt) and redeems the code: a Graph token with
 * exactly `scope`. The user's earlier consent is revoked first, since Entra's tokens carry
 * every permission consented for the resource ("additive scopes").
 */
export function graphToken(
  emulator: Emulator,
  user: string | number = 0,
  scope = readBasic,
): Promise<string> {
  // One at a time per emulator: a parallel sign-in's consent would otherwise be added.
  const previous = inFlight.get(emulator) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(() => exactGraphToken(emulator, user, scope));
  inFlight.set(emulator, next);
  return next;
}

const inFlight = new WeakMap<Emulator, Promise<unknown>>();

async function exactGraphToken(
  emulator: Emulator,
  user: string | number,
  scope: string,
): Promise<string> {
  emulator.consents.revoke(typeof user === "number" ? emulator.users[user]!.oid : user);
  const { location } = await signInAs(authorizeUrl(emulator, { scope }), user);
  const code = new URL(location).searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  const client = emulator.clients[0]!;
  const response = await tokenRequest(emulator, {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  const tokens = (await response.json()) as TokenResponse;
  if (!tokens.access_token) throw new Error(`no access token: ${JSON.stringify(tokens)}`);
  return tokens.access_token;
}

export interface GraphCall {
  token?: string | undefined;
  eventual?: boolean;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** `path` is relative to `/v1.0`, query included, sent as written (not re-encoded). */
export function graph(emulator: Emulator, path: string, call: GraphCall = {}) {
  return fetch(`${emulator.graphBaseUrl}${path}`, {
    method: call.method ?? "GET",
    headers: {
      ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
      ...(call.eventual ? { consistencylevel: "eventual" } : {}),
      ...call.headers,
    },
    ...(call.body === undefined ? {} : { body: call.body }),
  });
}

export async function graphJson<T = Record<string, unknown>>(
  emulator: Emulator,
  path: string,
  call: GraphCall = {},
): Promise<T> {
  const response = await graph(emulator, path, call);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body}`);
  return JSON.parse(body) as T;
}

/** Asserts Graph's error: status, code, message, the innerError ids matching the headers. */
export async function expectGraphError(
  response: Response,
  status: number,
  code: string,
  message: string | RegExp,
) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as GraphError;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  if (typeof message === "string") expect(body.error.message).toBe(message);
  else expect(body.error.message).toMatch(message);
  expect(Object.keys(body.error.innerError)).toEqual(["date", "request-id", "client-request-id"]);
  expect(body.error.innerError["request-id"]).toBe(response.headers.get("request-id"));
  expect(body.error.innerError["client-request-id"]).toBe(
    response.headers.get("client-request-id"),
  );
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  return body;
}

export interface UserPage {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: Record<string, unknown>[];
}

/** The display names of a users page. */
export function names(page: UserPage): unknown[] {
  return page.value.map((user) => user.displayName);
}
