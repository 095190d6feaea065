// Entra front-channel logout: signing out at the identity provider (from any app) loads
// /auth/frontchannel-logout?sid=… in an iframe, without our cookies; every session that
// Entra session started must then be refused, on this instance and (test below) others.
import { defaultClient, signInAs, signOut } from "@entra-bff/entra-emulator";
import { describe, expect, it } from "vitest";
import { CookieJar, csrf, followCallback, json, useEmulatorAndBff } from "../helpers/bff.ts";

const publicOrigin = "http://localhost:3000";

const servers = useEmulatorAndBff({
  emulator: {
    clients: [
      { ...defaultClient, frontchannelLogoutUri: `${publicOrigin}/auth/frontchannel-logout` },
    ],
  },
});

/** Signs in through the emulator's form; returns the BFF cookies and the emulator's cookie. */
async function signedIn(user: number, emulatorCookie?: string) {
  const jar = new CookieJar();
  const login = await servers.bff.request(jar, { url: "/auth/login" });
  const result = await signInAs(
    login.headers.location as string,
    user,
    emulatorCookie ? { cookie: emulatorCookie } : {},
  );
  expect((await followCallback(servers.bff, jar, result.location)).statusCode).toBe(303);
  return { jar, emulatorCookie: result.cookie as string };
}

/** Signs out at the emulator as another app would, and returns our front-channel URL. */
async function signOutAtEntra(emulatorCookie: string): Promise<URL> {
  const { frontchannelUris } = await signOut(
    `${servers.emulator.browserUrl}/${servers.emulator.tenantId}/oauth2/v2.0/logout`,
    { cookie: emulatorCookie },
  );
  expect(frontchannelUris).toHaveLength(1);
  const url = new URL(frontchannelUris[0] as string);
  expect(`${url.origin}${url.pathname}`).toBe(`${publicOrigin}/auth/frontchannel-logout`);
  return url;
}

const frontchannel = (url: URL) =>
  servers.bff.request(undefined, { url: `${url.pathname}${url.search}` });

const isSignedIn = async (jar: CookieJar) =>
  json(await servers.bff.request(jar.clone(), { url: "/auth/session" })).authenticated === true;

describe("GET /auth/frontchannel-logout", () => {
  it("ends the session Entra signed out, though the request carries no cookie", async () => {
    const { jar, emulatorCookie } = await signedIn(0);
    expect(await isSignedIn(jar)).toBe(true);

    const response = await frontchannel(await signOutAtEntra(emulatorCookie));
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    expect(response.headers["cache-control"]).toBe("no-store");
    // Only Entra's pages may frame it: the authority and the browser-facing pages' origins.
    const csp = String(response.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    const origins = new Set(
      [servers.emulator.url, servers.emulator.browserUrl].map((u) => new URL(u).origin),
    );
    expect(csp).toContain(`frame-ancestors ${[...origins].join(" ")}`);
    expect(response.headers["x-frame-options"]).toBeUndefined();

    expect(await isSignedIn(jar)).toBe(false);
    const me = await servers.bff.request(jar.clone(), { url: "/api/me", headers: csrf });
    expect(me.statusCode).toBe(401);
    expect(json(me).code).toBe("not_authenticated");
    expect(servers.bff.logs.some((line) => line.includes("front-channel logout"))).toBe(true);
  });

  it("ends every session that Entra session started (two tabs), and no other", async () => {
    const first = await signedIn(0);
    const second = await signedIn(0, first.emulatorCookie);
    const other = await signedIn(1);

    await frontchannel(await signOutAtEntra(first.emulatorCookie));

    expect(await isSignedIn(first.jar)).toBe(false);
    expect(await isSignedIn(second.jar)).toBe(false);
    expect(await isSignedIn(other.jar)).toBe(true);
  });

  it("does not end a session signed in after the logout", async () => {
    const { emulatorCookie } = await signedIn(1);
    const url = await signOutAtEntra(emulatorCookie);
    await frontchannel(url);
    const again = await signedIn(1);
    // Even if Entra's late iframe named the old session again.
    await frontchannel(url);
    expect(await isSignedIn(again.jar)).toBe(true);
  });

  it("clears the cookies too when a same-site iframe sends them", async () => {
    const { jar, emulatorCookie } = await signedIn(0);
    const url = await signOutAtEntra(emulatorCookie);
    const response = await servers.bff.request(jar, { url: `${url.pathname}${url.search}` });
    expect(response.statusCode).toBe(200);
    expect(jar.names()).toEqual([]);
  });

  it("answers 400 without a usable sid, and changes nothing", async () => {
    const { jar } = await signedIn(0);
    for (const query of [
      "",
      "?sid=",
      `?sid=${"a".repeat(129)}`,
      "?sid=%3Cscript%3E",
      "?sid=a&sid=b",
    ]) {
      const response = await servers.bff.request(jar.clone(), {
        url: `/auth/frontchannel-logout${query}`,
      });
      expect(response.statusCode, query).toBe(400);
      expect(json(response).code).toBe("bad_request");
    }
    expect(await isSignedIn(jar)).toBe(true);
  });

  it("answers 400 when `iss` names another identity provider, and changes nothing", async () => {
    const { jar, emulatorCookie } = await signedIn(0);
    const url = await signOutAtEntra(emulatorCookie);
    url.searchParams.set("iss", "https://login.example.com/evil/v2.0");
    const refused = await frontchannel(url);
    expect(refused.statusCode).toBe(400);
    expect(json(refused).message).toMatch(/another identity provider/);
    expect(await isSignedIn(jar)).toBe(true);

    url.searchParams.set("iss", `${servers.emulator.authority}/v2.0`);
    expect((await frontchannel(url)).statusCode).toBe(200);
    expect(await isSignedIn(jar)).toBe(false);
  });

  it("an unknown sid is accepted and ends nothing", async () => {
    const { jar } = await signedIn(1);
    const response = await servers.bff.request(undefined, {
      url: "/auth/frontchannel-logout?sid=00000000-0000-0000-0000-000000000000",
    });
    expect(response.statusCode).toBe(200);
    expect(await isSignedIn(jar)).toBe(true);
  });
});
