// The device code flow: /devicecode, the verification page, and the device's polling.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientRegistration,
  createEmulator,
  type Emulator,
  signInWithDeviceCode,
} from "../src/index.ts";
import { type EntraError, redirectUri, type TokenResponse, tokenRequest } from "./helpers.ts";

let now = Date.now();
const cli: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000dc001",
  redirectUris: [],
  isFallbackPublicClient: true,
};
const web: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000dc002",
  clientSecret: "dev-only-device-web-secret",
  redirectUris: [redirectUri],
};
let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({ port: 0, now: () => now, clients: [cli, web] });
});
afterAll(() => emulator?.close());

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

async function start(clientId = cli.clientId, scope = "openid profile offline_access User.Read") {
  const response = await fetch(`${emulator.authority}/oauth2/v2.0/devicecode`, {
    method: "POST",
    body: new URLSearchParams({ client_id: clientId, scope }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as DeviceAuthorization;
}

function poll(device: DeviceAuthorization, extra: Record<string, string> = {}) {
  return tokenRequest(emulator, {
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
    device_code: device.device_code,
    client_id: cli.clientId,
    ...extra,
  });
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as EntraError) };
}

describe("device code flow", () => {
  it("answers Entra's device authorization response", async () => {
    const device = await start();
    expect(device).toMatchObject({
      verification_uri: `${emulator.browserUrl}/devicelogin`,
      expires_in: 900,
      interval: 5,
    });
    expect(device.user_code).toMatch(/^[A-Z0-9]{9}$/);
    expect(device.message).toContain(device.user_code);
  });

  it("authorization_pending, then tokens once the user signed in, then never again", async () => {
    const device = await start();
    expect(await errorOf(await poll(device))).toMatchObject({
      status: 400,
      error: "authorization_pending",
      error_codes: [70016],
    });
    const page = await signInWithDeviceCode(
      device.verification_uri,
      device.user_code.toLowerCase(),
      "AlexW@contoso.example",
    );
    expect(page.approved).toBe(true);
    const tokens = (await (await poll(device)).json()) as TokenResponse;
    expect(decodeJwt(tokens.id_token!).preferred_username).toBe("AlexW@contoso.example");
    expect(decodeJwt(tokens.access_token).appidacr).toBe("0");
    expect(tokens.refresh_token).toBeTruthy();
    // Renewed like any public client's refresh token: no secret.
    const renewed = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      client_id: cli.clientId,
    });
    expect(renewed.status).toBe(200);
    expect((await errorOf(await poll(device))).error).toBe("invalid_grant");
  });

  it("the user declines: authorization_declined", async () => {
    const device = await start();
    const page = await signInWithDeviceCode(device.verification_uri, device.user_code, 0, {
      cancel: true,
    });
    expect(page.approved).toBe(false);
    expect((await errorOf(await poll(device))).error).toBe("authorization_declined");
  });

  it("codes expire after 15 minutes: expired_token, and the page refuses the code", async () => {
    const device = await start();
    now += 15 * 60_000 + 1;
    expect((await errorOf(await poll(device))).error).toBe("expired_token");
    await expect(
      signInWithDeviceCode(device.verification_uri, device.user_code, 0),
    ).rejects.toThrow(/That code didn't work/);
  });

  it("an unknown device code, another client's, and an app without public client flows", async () => {
    const device = await start();
    expect((await errorOf(await poll({ ...device, device_code: "nope" }))).error).toBe(
      "bad_verification_code",
    );
    const other = await tokenRequest(emulator, {
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      device_code: device.device_code,
      client_id: web.clientId,
      client_secret: web.clientSecret,
    });
    expect((await errorOf(other)).error).toBe("bad_verification_code");
    const webDevice = await start(web.clientId);
    const unauthenticated = await tokenRequest(emulator, {
      grant_type: "device_code",
      device_code: webDevice.device_code,
      client_id: web.clientId,
    });
    expect(await errorOf(unauthenticated)).toMatchObject({ status: 401, error_codes: [7000218] });
  });

  it("/devicecode refuses what /authorize refuses", async () => {
    const missing = await fetch(`${emulator.authority}/oauth2/v2.0/devicecode`, {
      method: "POST",
      body: new URLSearchParams({ client_id: cli.clientId }),
    });
    expect((await errorOf(missing)).error_codes).toEqual([900144]);
    const unknown = await fetch(`${emulator.authority}/oauth2/v2.0/devicecode`, {
      method: "POST",
      body: new URLSearchParams({ client_id: "nope", scope: "User.Read" }),
    });
    expect((await errorOf(unknown)).error_codes).toEqual([700016]);
  });
});
