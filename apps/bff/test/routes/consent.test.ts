// Incremental consent (/auth/login?scopes=) and consent lost after sign-in (AADSTS65001 on
// renewal): /api/me answers 401 consent_required with a loginUrl and keeps the session.
import { signInAs } from "@entra-bff/entra-emulator";
import { afterEach, describe, expect, it } from "vitest";
import {
  CookieJar,
  csrf,
  followCallback,
  json,
  signIn,
  startBff,
  useEmulatorAndBff,
} from "../helpers/bff.ts";

const servers = useEmulatorAndBff({
  env: { INCREMENTAL_SCOPES: "Calendars.Read User.ReadBasic.All" },
});
const calendarUser = 1;

afterEach(() => {
  for (const user of servers.emulator.users)
    servers.emulator.consents.revoke(user.userPrincipalName);
});

const me = (jar: CookieJar, headers: Record<string, string> = {}) =>
  servers.bff.request(jar, { url: "/api/me", headers: { ...csrf, ...headers } });

const authError = (response: { headers: Record<string, unknown> }) =>
  new URL(String(response.headers.location)).searchParams.get("authError");

/** Follows a BFF sign-in URL through the emulator (accepting its consent prompt). */
async function signInThrough(jar: CookieJar, loginUrl: string, user: number) {
  const login = await servers.bff.request(jar, { url: loginUrl });
  expect(login.statusCode, login.body).toBe(302);
  const authorize = new URL(String(login.headers.location));
  const result = await signInAs(authorize.href, user);
  const callback = await followCallback(servers.bff, jar, result.location);
  expect(callback.statusCode).toBe(303);
  return { authorize, callback };
}

/** Lets the access token expire on the BFF's clock, so the next /api/me renews. */
async function expireAccessToken<T>(run: () => Promise<T>): Promise<T> {
  servers.bff.clock.advance(3600_000);
  try {
    return await run();
  } finally {
    servers.bff.clock.advance(-3600_000);
  }
}

describe("incremental consent: /auth/login?scopes=", () => {
  it("asks Entra for the extra scope; the user consents; the session keeps it for renewals", async () => {
    const jar = new CookieJar();
    const { authorize, callback } = await signInThrough(
      jar,
      "/auth/login?returnTo=%2Fcalendar&scopes=Calendars.Read",
      calendarUser,
    );
    expect(authorize.searchParams.get("scope")?.split(" ")).toEqual(
      expect.arrayContaining(["User.Read", "Calendars.Read", "openid", "offline_access"]),
    );
    expect(callback.headers.location).toBe("http://localhost:3000/calendar");
    const user = servers.emulator.users[calendarUser]!;
    expect(servers.emulator.consents.list({ user: user.userPrincipalName })[0]?.scopes).toEqual([
      "Calendars.Read",
    ]);
    expect((await me(jar)).statusCode).toBe(200);

    // Renewal asks for the consented scope too: with the consent revoked, Entra refuses.
    servers.emulator.consents.revoke(user.userPrincipalName);
    const refused = await expireAccessToken(() => me(jar));
    expect(refused.statusCode).toBe(401);
    const body = json<{ code: string; loginUrl: string }>(refused);
    expect(body.code).toBe("consent_required");
    const loginUrl = new URL(body.loginUrl, "http://localhost:3000");
    expect(loginUrl.pathname).toBe("/auth/login");
    expect(loginUrl.searchParams.get("scopes")).toBe("Calendars.Read");
  });

  it("matches scope names case-insensitively and ignores scopes SCOPES already has", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, {
      url: "/auth/login?scopes=calendars.read%20user.read",
    });
    expect(login.statusCode).toBe(302);
    const scope = new URL(String(login.headers.location)).searchParams.get("scope")!.split(" ");
    expect(scope.filter((s) => /calendars\.read/i.test(s))).toEqual(["Calendars.Read"]);
    expect(scope.filter((s) => /user\.read$/i.test(s))).toEqual(["User.Read"]);
  });

  it("refuses a scope outside INCREMENTAL_SCOPES: 303 to the SPA with scope_not_allowed, no transaction", async () => {
    for (const scopes of ["Mail.Read", "Calendars.Read Mail.Read", "https://evil.example/x"]) {
      const jar = new CookieJar();
      const login = await servers.bff.request(jar, {
        url: `/auth/login?scopes=${encodeURIComponent(scopes)}`,
      });
      expect(login.statusCode, scopes).toBe(303);
      expect(authError(login)).toBe("scope_not_allowed");
      expect(jar.names()).toEqual([]);
    }
    expect(servers.bff.logs.some((line) => line.includes("scope not allowed"))).toBe(true);
  });

  it("refuses any extra scope when INCREMENTAL_SCOPES is not set", async () => {
    const plain = await startBff(servers.emulator);
    try {
      const login = await plain.request(new CookieJar(), {
        url: "/auth/login?scopes=Calendars.Read",
      });
      expect(authError(login)).toBe("scope_not_allowed");
    } finally {
      await plain.close();
    }
  });

  it("the user declining the consent prompt lands on the SPA with access_denied and no session", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, { url: "/auth/login?scopes=User.ReadBasic.All" });
    const result = await signInAs(String(login.headers.location), 0, { consent: "decline" });
    const callback = await followCallback(servers.bff, jar, result.location);
    expect(authError(callback)).toBe("access_denied");
    expect(json(await servers.bff.request(jar, { url: "/auth/session" })).authenticated).toBe(
      false,
    );
  });
});

it("a claims challenge's sign-in keeps the scopes incremental consent added", async () => {
  const jar = new CookieJar();
  await signInThrough(jar, "/auth/login?scopes=Calendars.Read", calendarUser);
  servers.emulator.faults.add({ target: "graph", kind: "claims_challenge" });
  const response = await me(jar);
  const body = json<{ code: string; loginUrl: string }>(response);
  expect(body.code).toBe("claims_challenge");
  const loginUrl = new URL(body.loginUrl, "http://localhost:3000");
  expect(loginUrl.searchParams.get("scopes")).toBe("Calendars.Read");
  expect(loginUrl.searchParams.get("claims")).toBeTruthy();
});

describe("consent_required from /api/me", () => {
  it("answers 401 consent_required with a loginUrl and keeps the session (Entra's AADSTS65001)", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    servers.emulator.faults.add({
      target: "token",
      kind: "consent_required",
      grantType: "refresh_token",
    });
    const response = await expireAccessToken(() =>
      me(jar, { referer: "http://localhost:3000/profile" }),
    );
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({
      code: "consent_required",
      message: "This app needs your consent to a permission before it can continue.",
      loginUrl: "/auth/login?returnTo=%2Fprofile",
    });
    expect(jar.names()).toEqual(["bff-session", "bff-token-0"]);
    expect(json(await servers.bff.request(jar, { url: "/auth/session" })).authenticated).toBe(true);
  });

  it("the sign-in it points to names the signed-in user (login_hint) and ends in a fresh session", async () => {
    const jar = new CookieJar();
    await signInThrough(jar, "/auth/login?scopes=Calendars.Read", calendarUser);
    const before = json<{ user: { oid: string } }>(
      await servers.bff.request(jar, { url: "/auth/session" }),
    );
    servers.emulator.consents.revoke(servers.emulator.users[calendarUser]!.userPrincipalName);
    const refused = await expireAccessToken(() => me(jar));
    const { loginUrl } = json<{ loginUrl: string }>(refused);

    const { authorize } = await signInThrough(jar, loginUrl, calendarUser);
    expect(authorize.searchParams.get("login_hint")).toBeTruthy();
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toMatchObject({
      authenticated: true,
      user: { oid: before.user.oid },
    });
    expect((await expireAccessToken(() => me(jar))).statusCode).toBe(200);
  });
});
