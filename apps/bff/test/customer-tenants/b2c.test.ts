// The BFF signing customers in with Azure AD B2C (the emulator as a B2C tenant): user flows,
// /api/me from the ID token, renewal at the user flow that issued the refresh token, profile
// edit and "forgot password", with every identity rule of a workforce tenant.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  editProfileAs,
  type Fault,
  signInAs,
  signOut,
  tasksApiClientId,
} from "@entra-bff/entra-emulator";
import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CookieJar,
  csrf,
  followCallback,
  identityIn,
  json,
  startBff,
  useEmulatorAndBff,
} from "../helpers/bff.ts";
import { type RecordingUpstream, startRecordingUpstream } from "../helpers/recording-upstream.ts";

let upstream: RecordingUpstream;
const apisFile = join(mkdtempSync(join(tmpdir(), "entra-bff-b2c-")), "apis.json");
const tasksScope = `api://${tasksApiClientId}/Tasks.ReadWrite`;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  writeFileSync(
    apisFile,
    JSON.stringify({
      apis: {
        notes: { baseUrl: `${upstream.origin}/notes`, scopes: [tasksScope], allow: ["GET /items"] },
      },
    }),
  );
});
afterAll(() => upstream?.close());
afterEach(() => upstream.reset());

const servers = useEmulatorAndBff({
  emulator: { tenantKind: "b2c" },
  env: {
    // Inferred from a *.b2clogin.com host; the emulator is on localhost.
    ENTRA_TENANT_KIND: "b2c",
    B2C_PROFILE_EDIT_POLICY: "B2C_1_profile_edit",
    B2C_PASSWORD_RESET_POLICY: "B2C_1_password_reset",
    DOWNSTREAM_APIS_FILE: apisFile,
  },
});

const avery = () => servers.emulator.users[0]!;
const jordan = () => servers.emulator.users[1]!;

/** Signs in through the sign-up/sign-in user flow; also returns the emulator's session cookie. */
async function signedIn(user: string | number = 0, returnTo = "/") {
  const jar = new CookieJar();
  const login = await servers.bff.request(jar, {
    url: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
  });
  expect(login.statusCode).toBe(302);
  const answer = await signInAs(String(login.headers.location), user);
  const callback = await followCallback(servers.bff, jar, answer.location);
  expect(callback.statusCode).toBe(303);
  expect(callback.headers.location).toBe(`http://localhost:3000${returnTo}`);
  return { jar, emulatorCookie: answer.cookie! };
}

const session = async (jar: CookieJar) =>
  json(await servers.bff.request(jar, { url: "/auth/session" }));
const notes = (jar: CookieJar) =>
  servers.bff.request(jar, { url: "/api/notes/items", headers: csrf });
const authError = (location: unknown) => new URL(String(location)).searchParams.get("authError");

describe("sign-in with B2C's sign-up/sign-in user flow", () => {
  it("starts at the user flow's authorize endpoint and asks for no Graph scope", async () => {
    const login = await servers.bff.request(new CookieJar(), { url: "/auth/login" });
    const url = new URL(String(login.headers.location));
    expect(url.pathname).toBe("/contoso.onmicrosoft.com/b2c_1_susi/oauth2/v2.0/authorize");
    expect(url.searchParams.get("scope")?.split(" ").sort()).toEqual([
      "offline_access",
      "openid",
      "profile",
    ]);
    // B2C has no CAE: no CP1 capability in the claims request.
    expect(url.searchParams.get("claims") ?? "").not.toContain("xms_cc");
  });

  it("creates a session whose tenant comes from the issuer (B2C sends no tid)", async () => {
    const { jar } = await signedIn("avery.brooks@example.com");
    expect(await session(jar)).toEqual({
      authenticated: true,
      user: {
        name: "Avery Brooks",
        username: "avery.brooks@example.com",
        oid: avery().oid,
        tenantId: servers.emulator.tenantId,
      },
      expiresAt: expect.any(String),
      features: { signUp: false, editProfile: true, directory: false },
    });
    expect(identityIn(servers.bff, jar)).toMatchObject({
      policy: "B2C_1_susi",
      sub: avery().oid,
      profile: {
        displayName: "Avery Brooks",
        givenName: "Avery",
        surname: "Brooks",
        email: "avery.brooks@example.com",
      },
    });
  });

  it("tells a signed-out SPA what the tenant offers", async () => {
    expect(await session(new CookieJar())).toEqual({
      authenticated: false,
      features: { signUp: false, editProfile: true, directory: false },
    });
  });

  it("answers /api/me from the ID token's claims, naming the fields it has", async () => {
    const { jar } = await signedIn(0);
    const response = await servers.bff.request(jar, { url: "/api/me", headers: csrf });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      id: avery().oid,
      displayName: "Avery Brooks",
      givenName: "Avery",
      surname: "Brooks",
      userPrincipalName: null,
      mail: "avery.brooks@example.com",
      jobTitle: null,
      officeLocation: null,
      businessPhones: [],
      mobilePhone: null,
      preferredLanguage: null,
      source: "id_token",
      fields: ["id", "displayName", "givenName", "surname", "mail"],
    });
    expect((await servers.bff.request(jar, { url: "/api/me" })).statusCode).toBe(403);
    expect(
      (await servers.bff.request(new CookieJar(), { url: "/api/me", headers: csrf })).statusCode,
    ).toBe(401);
  });

  it("refuses an ID token of another user flow, or of no user flow", async () => {
    for (const fault of [
      { set: { tfp: "b2c_1_profile_edit" } },
      { remove: ["tfp"] },
      { set: { tid: "99999999-9999-4999-8999-999999999999" } },
      { remove: ["oid"], set: { sub: "Not supported currently. Use oid claim." } },
    ]) {
      servers.emulator.faults.add({
        target: "token",
        kind: "id_token_claims",
        grantType: "authorization_code",
        times: 1,
        ...fault,
      });
      const jar = new CookieJar();
      const login = await servers.bff.request(jar, { url: "/auth/login" });
      const { location } = await signInAs(String(login.headers.location), 0);
      const callback = await followCallback(servers.bff, jar, location);
      expect(authError(callback.headers.location), JSON.stringify(fault)).toBe("invalid_id_token");
      expect(jar.names()).toEqual([]);
    }
  });

  it("accepts B2C's legacy subject ('Not supported…') when oid names the user", async () => {
    servers.emulator.faults.add({
      target: "token",
      kind: "id_token_claims",
      grantType: "authorization_code",
      times: 1,
      set: { sub: "Not supported currently. Use oid claim." },
    });
    const { jar } = await signedIn(0);
    expect((await session(jar)).user).toMatchObject({ oid: avery().oid });
  });
});

describe("renewal at the user flow that issued the refresh token", () => {
  const renewals = () =>
    Number(
      servers.bff.app.metrics
        .render()
        .split("\n")
        .find((l) => l.startsWith('entra_bff_token_renewals_total{outcome="success"}'))
        ?.split(" ")[1] ?? 0,
    );

  it("gets the declared API's B2C token with the refresh token, and again once it expired", async () => {
    const { jar } = await signedIn(0);
    const before = renewals();
    expect((await notes(jar)).statusCode).toBe(200);
    const token = String(upstream.received.at(-1)!.headers.authorization).slice("Bearer ".length);
    expect(decodeJwt(token)).toMatchObject({
      aud: tasksApiClientId,
      tfp: "b2c_1_susi",
      oid: avery().oid,
      iss: servers.emulator.issuer,
    });
    expect((await notes(jar)).statusCode).toBe(200);
    expect(renewals()).toBe(before + 1);
    servers.bff.clock.advance(3600_000);
    expect((await notes(jar)).statusCode).toBe(200);
    expect(renewals()).toBe(before + 2);
  });

  const cases: Array<[string, () => Fault]> = [
    ["another user", () => ({ target: "token", kind: "other_user", grantType: "refresh_token" })],
    [
      "another user flow's ID token",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { tfp: "b2c_1_password_reset" },
      }),
    ],
    [
      "another oid",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { oid: jordan().oid, sub: jordan().oid },
      }),
    ],
    [
      "another tenant's issuer",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { iss: `${servers.emulator.url}/99999999-9999-4999-8999-999999999999/v2.0/` },
      }),
    ],
    [
      "a workforce issuer (no trailing slash)",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        set: { iss: `${servers.emulator.url}/${servers.emulator.tenantId}/v2.0` },
      }),
    ],
    [
      "client_info of another user flow",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        clientInfo: { uid: `${avery().oid}-b2c_1_profile_edit`, utid: servers.emulator.tenantId },
      }),
    ],
    [
      "client_info without the user flow (a workforce account id)",
      () => ({
        target: "token",
        kind: "id_token_claims",
        grantType: "refresh_token",
        clientInfo: { uid: avery().oid, utid: servers.emulator.tenantId },
      }),
    ],
  ];

  it.each(cases)("%s: 401 session_expired, the API never called", async (_name, fault) => {
    const { jar } = await signedIn(0);
    const copied = jar.clone();
    servers.emulator.faults.add({ ...fault(), times: 1 } as Fault);
    const response = await notes(jar);
    expect(response.statusCode).toBe(401);
    expect(json(response).code).toBe("session_expired");
    expect(upstream.received).toEqual([]);
    expect(servers.bff.logs.some((line) => line.includes('"event":"security"'))).toBe(true);
    // Ended for good: a copy of the cookies no longer works.
    expect((await notes(copied)).statusCode).toBe(401);
  });
});

describe("profile edit (GET /auth/edit-profile)", () => {
  it("runs the edit user flow and refreshes /auth/session, keeping the session", async () => {
    const { jar, emulatorCookie } = await signedIn(0);
    const before = identityIn(servers.bff, jar)!;
    const start = await servers.bff.request(jar, { url: "/auth/edit-profile?returnTo=/account" });
    expect(start.statusCode).toBe(302);
    const url = new URL(String(start.headers.location));
    expect(url.pathname).toBe("/contoso.onmicrosoft.com/b2c_1_profile_edit/oauth2/v2.0/authorize");
    const { location } = await editProfileAs(
      url.href,
      { displayName: "Avery B. Brooks", givenName: "Avery B." },
      { cookie: emulatorCookie },
    );
    const callback = await followCallback(servers.bff, jar, location);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe("http://localhost:3000/account");

    expect((await session(jar)).user).toMatchObject({ name: "Avery B. Brooks", oid: avery().oid });
    const after = identityIn(servers.bff, jar)!;
    // The same session: its id, creation, expiry and the refresh token's user flow.
    expect(after).toMatchObject({
      sid: before.sid,
      createdAt: before.createdAt,
      absoluteExpiresAt: before.absoluteExpiresAt,
      policy: "B2C_1_susi",
    });
    const me = json(await servers.bff.request(jar, { url: "/api/me", headers: csrf }));
    expect(me).toMatchObject({ displayName: "Avery B. Brooks", givenName: "Avery B." });
    // Renewal still goes to the sign-up/sign-in user flow that issued the refresh token.
    expect((await notes(jar)).statusCode).toBe(200);
  });

  it("refuses the answer for another account: nothing changes", async () => {
    const { jar } = await signedIn(0);
    const name = avery().displayName;
    const start = await servers.bff.request(jar, { url: "/auth/edit-profile" });
    // No B2C session cookie: the edit flow asks who is signing in, and Jordan does.
    const { location } = await editProfileAs(
      String(start.headers.location),
      { displayName: "Hijacked" },
      {
        user: "jordan.lee@example.net",
      },
    );
    const callback = await followCallback(servers.bff, jar, location);
    expect(authError(callback.headers.location)).toBe("wrong_account");
    // (Jordan did edit Jordan's own profile at B2C; this session stays Avery's, unchanged.)
    expect((await session(jar)).user).toMatchObject({ name, oid: avery().oid });
    expect(
      servers.bff.logs.some((line) => line.includes("profile edit answered for another user")),
    ).toBe(true);
  });

  it("a cancelled edit returns where the user was, unchanged", async () => {
    const { jar, emulatorCookie } = await signedIn(1);
    const name = jordan().displayName;
    const start = await servers.bff.request(jar, { url: "/auth/edit-profile?returnTo=/tasks" });
    const { location } = await editProfileAs(String(start.headers.location), "cancel", {
      cookie: emulatorCookie,
    });
    const callback = await followCallback(servers.bff, jar, location);
    expect(callback.headers.location).toBe("http://localhost:3000/tasks");
    expect((await session(jar)).user).toMatchObject({ name });
    expect(identityIn(servers.bff, jar)?.sid).toBeTruthy();
  });

  it("does not bring back a session that signed out during the edit", async () => {
    const { jar, emulatorCookie } = await signedIn(0);
    const start = await servers.bff.request(jar, { url: "/auth/edit-profile" });
    const { location } = await editProfileAs(
      String(start.headers.location),
      { displayName: "Late" },
      {
        cookie: emulatorCookie,
      },
    );
    const logout = await servers.bff.request(jar.clone(), {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });
    expect(logout.statusCode).toBe(303);
    // The callback carries only the transaction cookie (a cross-site redirect).
    const tx = new CookieJar();
    for (const name of jar.names().filter((n) => n.startsWith("bff-tx-"))) {
      tx.cookies.set(name, jar.cookies.get(name)!);
    }
    const callback = await followCallback(servers.bff, tx, location);
    expect(authError(callback.headers.location)).toBe("session_ended");
    expect(tx.names()).toEqual([]);
  });

  it("keeps the transaction cookie within a browser's 4 KB with the longest returnTo", async () => {
    servers.emulator.faults.add({
      target: "token",
      kind: "id_token_claims",
      grantType: "authorization_code",
      times: 1,
      // The longest subject a session keeps.
      set: { sub: "S".repeat(128) },
    });
    const { jar } = await signedIn(0);
    const returnTo = `/${"a".repeat(1000)}`;
    const start = await servers.bff.request(jar, {
      url: `/auth/edit-profile?returnTo=${encodeURIComponent(returnTo)}`,
    });
    expect(start.statusCode).toBe(302);
    const tx = [start.headers["set-cookie"]].flat().find((c) => String(c).startsWith("bff-tx-"));
    expect(String(tx).length).toBeLessThanOrEqual(4096);
  });

  it("without a session, sends the browser to sign in first", async () => {
    const response = await servers.bff.request(new CookieJar(), {
      url: "/auth/edit-profile?returnTo=/account",
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/auth/login?returnTo=%2Faccount");
  });

  it("is a 404 where no profile edit user flow is configured", async () => {
    const bff = await startBff(servers.emulator, { ENTRA_TENANT_KIND: "b2c" });
    try {
      const response = await bff.request(new CookieJar(), { url: "/auth/edit-profile" });
      expect(response.statusCode).toBe(404);
      expect(json(response).message).toContain("B2C_PROFILE_EDIT_POLICY");
      expect(json(await bff.request(new CookieJar(), { url: "/auth/session" }))).toEqual({
        authenticated: false,
        features: { signUp: false, editProfile: false, directory: false },
      });
    } finally {
      await bff.close();
    }
  });
});

describe("'Forgot your password?' (AADB2C90118)", () => {
  async function forgotPassword(jar: CookieJar, returnTo = "/") {
    const login = await servers.bff.request(jar, {
      url: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    });
    const { location } = await signInAs(String(login.headers.location), 0, {
      forgotPassword: true,
    });
    expect(new URL(location).searchParams.get("error_description")).toMatch(/^AADB2C90118/);
    return followCallback(servers.bff, jar, location);
  }

  it("starts the password reset user flow and ends signed in where the sign-in started", async () => {
    const jar = new CookieJar();
    const reset = await forgotPassword(jar, "/tasks");
    expect(reset.statusCode).toBe(302);
    const url = new URL(String(reset.headers.location));
    expect(url.pathname).toBe(
      "/contoso.onmicrosoft.com/b2c_1_password_reset/oauth2/v2.0/authorize",
    );
    const { location } = await signInAs(url.href, 0, {
      passwordReset: { email: "jordan.lee@example.net" },
    });
    const callback = await followCallback(servers.bff, jar, location);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe("http://localhost:3000/tasks");
    expect((await session(jar)).user).toMatchObject({
      oid: jordan().oid,
      name: jordan().displayName,
    });
    expect(identityIn(servers.bff, jar)?.policy).toBe("B2C_1_password_reset");
    // Its refresh token is the reset user flow's: renewal goes there.
    expect((await notes(jar)).statusCode).toBe(200);
    const token = String(upstream.received.at(-1)!.headers.authorization).slice("Bearer ".length);
    expect(decodeJwt(token).tfp).toBe("b2c_1_password_reset");
  });

  it("spends the answered transaction: a replay of the callback is refused", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, { url: "/auth/login" });
    const { location } = await signInAs(String(login.headers.location), 0, {
      forgotPassword: true,
    });
    const replayJar = jar.clone();
    expect((await followCallback(servers.bff, jar, location)).statusCode).toBe(302);
    const replay = await followCallback(servers.bff, replayJar, location);
    expect(authError(replay.headers.location)).toBe("state_mismatch");
  });

  it("says password reset is not set up when no reset user flow is configured", async () => {
    const bff = await startBff(servers.emulator, { ENTRA_TENANT_KIND: "b2c" });
    try {
      const jar = new CookieJar();
      const login = await bff.request(jar, { url: "/auth/login" });
      const { location } = await signInAs(String(login.headers.location), 0, {
        forgotPassword: true,
      });
      const callback = await followCallback(bff, jar, location);
      expect(authError(callback.headers.location)).toBe("password_reset_unavailable");
      expect(jar.names()).toEqual([]);
    } finally {
      await bff.close();
    }
  });

  it("a cancelled reset is a cancelled sign-in", async () => {
    const jar = new CookieJar();
    const reset = await forgotPassword(jar);
    const { location } = await signInAs(String(reset.headers.location), 0, {
      passwordReset: "cancel",
    });
    const callback = await followCallback(servers.bff, jar, location);
    expect(authError(callback.headers.location)).toBe("access_denied");
  });
});

describe("sign-up and logout", () => {
  it("refuses prompt=create, which B2C does not offer", async () => {
    const response = await servers.bff.request(new CookieJar(), {
      url: "/auth/login?prompt=create",
    });
    expect(response.statusCode).toBe(303);
    expect(authError(response.headers.location)).toBe("prompt_not_allowed");
  });

  it("signs out at the sign-up/sign-in user flow's end-session endpoint", async () => {
    const { jar, emulatorCookie } = await signedIn(0);
    const copied = jar.clone();
    const response = await servers.bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location));
    expect(location.pathname).toBe("/contoso.onmicrosoft.com/b2c_1_susi/oauth2/v2.0/logout");
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe("http://localhost:3000/");
    const signedOut = await signOut(location.href, { cookie: emulatorCookie });
    expect(signedOut.redirect).toBe("http://localhost:3000/");
    expect(await session(copied)).toMatchObject({ authenticated: false });
  });
});
