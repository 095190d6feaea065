// Redirect URIs per platform decide how a code is redeemed: web (with the app's credential),
// single-page app (cross-origin, PKCE, no credential, 24-hour refresh tokens), mobile and
// desktop (no credential).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientRegistration, createEmulator, type Emulator, signInAs } from "../src/index.ts";
import {
  authorizeUrl,
  type EntraError,
  pkce,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let now = Date.now();
const app: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000c1e01",
  clientSecret: "dev-only-platforms-secret",
  redirectUris: ["https://app.example/web-callback"],
  spa: { redirectUris: ["https://app.example/spa"] },
  publicClient: { redirectUris: ["http://localhost/native"] },
};
let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({ port: 0, now: () => now, clients: [app] });
});
afterAll(() => emulator?.close());

const spaOrigin = { origin: "https://app.example" };

async function code(redirectUri: string, params: Record<string, string | undefined> = {}) {
  const { location } = await signInAs(
    authorizeUrl(emulator, { client_id: app.clientId, redirect_uri: redirectUri, ...params }),
    0,
  );
  return new URL(location).searchParams.get("code")!;
}

function redeem(
  value: string,
  redirectUri: string,
  options: { secret?: boolean; headers?: Record<string, string> } = {},
) {
  return tokenRequest(
    emulator,
    {
      grant_type: "authorization_code",
      code: value,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
      client_id: app.clientId,
      client_secret: options.secret ? app.clientSecret : undefined,
      scope: "User.Read offline_access",
    },
    { headers: options.headers ?? {} },
  );
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as EntraError) };
}

describe("redirect URI platforms", () => {
  it("web: the secret is required, and a browser (Origin) may not redeem", async () => {
    const web = "https://app.example/web-callback";
    expect(await errorOf(await redeem(await code(web), web))).toMatchObject({
      status: 401,
      error_codes: [7000218],
    });
    expect(
      (await errorOf(await redeem(await code(web), web, { secret: true, headers: spaOrigin })))
        .error_codes,
    ).toEqual([9002326]);
    expect((await redeem(await code(web), web, { secret: true })).status).toBe(200);
  });

  it("spa: PKCE required, redeemed cross-origin without a secret, CORS answered", async () => {
    const spa = "https://app.example/spa";
    const noPkce = await fetch(
      authorizeUrl(emulator, {
        client_id: app.clientId,
        redirect_uri: spa,
        code_challenge: undefined,
        code_challenge_method: undefined,
      }),
      { redirect: "manual" },
    );
    expect(new URL(noPkce.headers.get("location")!).searchParams.get("error_description")).toMatch(
      /^AADSTS9002325: /,
    );
    expect((await errorOf(await redeem(await code(spa), spa))).error_codes).toEqual([9002327]);
    expect(
      (await errorOf(await redeem(await code(spa), spa, { secret: true, headers: spaOrigin })))
        .error_codes,
    ).toEqual([700025]);
    const ok = await redeem(await code(spa), spa, { headers: spaOrigin });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    const { refresh_token } = (await ok.json()) as TokenResponse;

    // The SPA's refresh token: cross-origin, no secret, 24 hours however often it is used.
    const renew = () =>
      tokenRequest(
        emulator,
        { grant_type: "refresh_token", refresh_token, client_id: app.clientId },
        { headers: spaOrigin },
      );
    expect((await renew()).status).toBe(200);
    now += 23 * 3600_000;
    expect((await renew()).status).toBe(200);
    now += 3600_000;
    expect(await errorOf(await renew())).toMatchObject({
      error: "invalid_grant",
      error_codes: [700084],
    });
  });

  it("mobile and desktop: no secret (a secret is refused, AADSTS700025)", async () => {
    const native = "http://localhost:51234/native";
    expect((await redeem(await code(native), native)).status).toBe(200);
    expect(
      (await errorOf(await redeem(await code(native), native, { secret: true }))).error_codes,
    ).toEqual([700025]);
  });
});
