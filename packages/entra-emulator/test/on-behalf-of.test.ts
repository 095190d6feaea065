// The on-behalf-of grant: a web API trades the access token it received for one to a
// downstream API as the same user, with its own credential.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientRegistration, createEmulator, type Emulator, signInAs } from "../src/index.ts";
import {
  authorizeUrl,
  type EntraError,
  pkce,
  redirectUri,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let now = Date.now();
const spaLike: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000ob001",
  clientSecret: "dev-only-obo-client-secret",
  redirectUris: [redirectUri],
};
const middle: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000ob002",
  clientSecret: "dev-only-obo-api-secret",
  redirectUris: [],
  applicationIdUri: "api://middle",
  exposedScopes: [{ value: "access_as_user" }],
  requestedAccessTokenVersion: 2,
};
const downstream: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000ob003",
  redirectUris: [],
  applicationIdUri: "api://downstream",
  exposedScopes: [{ value: "Data.Read" }],
};

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    now: () => now,
    clients: [spaLike],
    apis: [middle, downstream],
  });
});
afterAll(() => emulator?.close());

async function userToken(scope = "api://middle/access_as_user openid") {
  const { location } = await signInAs(
    authorizeUrl(emulator, { client_id: spaLike.clientId, scope }),
    0,
  );
  const response = await tokenRequest(emulator, {
    grant_type: "authorization_code",
    code: new URL(location).searchParams.get("code")!,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: spaLike.clientId,
    client_secret: spaLike.clientSecret,
  });
  return (await response.json()) as TokenResponse;
}

function onBehalfOf(assertion: string, scope = "User.Read", extra: Record<string, string> = {}) {
  return tokenRequest(emulator, {
    grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    requested_token_use: "on_behalf_of",
    assertion,
    scope,
    client_id: middle.clientId,
    client_secret: middle.clientSecret,
    ...extra,
  });
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as EntraError) };
}

describe("on-behalf-of", () => {
  it("a Graph token for the same user, issued to the middle-tier API", async () => {
    const { access_token } = await userToken();
    const response = await onBehalfOf(access_token);
    expect(response.status).toBe(200);
    const graph = decodeJwt(((await response.json()) as TokenResponse).access_token);
    expect(graph).toMatchObject({ appid: middle.clientId, oid: emulator.users[0]!.oid });
  });

  it("a downstream API needs the user's consent for the middle tier (AADSTS65001)", async () => {
    const { access_token } = await userToken();
    expect(
      await errorOf(await onBehalfOf(access_token, "api://downstream/Data.Read")),
    ).toMatchObject({ error: "invalid_grant", suberror: "consent_required", error_codes: [65001] });
    emulator.consents.grant(
      emulator.users[0]!.oid,
      ["api://downstream/Data.Read"],
      middle.clientId,
    );
    const granted = await onBehalfOf(access_token, "api://downstream/Data.Read");
    expect(decodeJwt(((await granted.json()) as TokenResponse).access_token)).toMatchObject({
      aud: "api://downstream",
      scp: "Data.Read",
      ver: "1.0",
    });
  });

  it("refuses an assertion for another app, an ID token, an expired one, and a missing parameter", async () => {
    const tokens = await userToken();
    // A Graph token is not for the middle tier (and only Graph can verify its signature).
    expect(
      (await errorOf(await onBehalfOf((await graphToken()).access_token))).error_codes,
    ).toEqual([50013]);
    expect((await errorOf(await onBehalfOf(tokens.id_token!))).error_codes).toEqual([50013]);
    expect(
      (
        await errorOf(
          await onBehalfOf(tokens.access_token, "User.Read", { requested_token_use: "x" }),
        )
      ).error_codes,
    ).toEqual([900144]);
    now += 3 * 3600_000;
    expect((await errorOf(await onBehalfOf(tokens.access_token))).error_codes).toEqual([500133]);
    now -= 3 * 3600_000;
  });
});

function graphToken() {
  return userToken("User.Read openid");
}
