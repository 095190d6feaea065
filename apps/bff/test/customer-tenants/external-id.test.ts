// The BFF signing customers in with Microsoft Entra External ID (the emulator as an External
// ID tenant): its issuer, self-service sign-up through /auth/login?prompt=create, Graph /me,
// renewal and logout, with every identity rule of a workforce tenant.
import { signInAs, signOut, signUpAs } from "@entra-bff/entra-emulator";
import { describe, expect, it } from "vitest";
import {
  CookieJar,
  csrf,
  followCallback,
  json,
  signIn,
  useEmulatorAndBff,
} from "../helpers/bff.ts";

const servers = useEmulatorAndBff({
  emulator: { tenantKind: "external" },
  // Inferred from a *.ciamlogin.com host; the emulator is on localhost (a custom URL domain).
  env: { ENTRA_TENANT_KIND: "external" },
});

const session = async (jar: CookieJar) =>
  json(await servers.bff.request(jar, { url: "/auth/session" }));
const me = (jar: CookieJar) => servers.bff.request(jar, { url: "/api/me", headers: csrf });
const authError = (location: unknown) => new URL(String(location)).searchParams.get("authError");

describe("sign-in with Entra External ID", () => {
  it("loads External ID's issuer (the tenant id's ciamlogin.com host) and signs a customer in", async () => {
    const metadata = await servers.bff.app.idp.whenLoaded();
    expect(metadata.issuer).toBe(
      `https://${servers.emulator.tenantId}.ciamlogin.com/${servers.emulator.tenantId}/v2.0`,
    );
    const jar = new CookieJar();
    expect((await signIn(servers.bff, jar, "avery.brooks@example.com")).statusCode).toBe(303);
    const customer = servers.emulator.users[0]!;
    expect(await session(jar)).toEqual({
      authenticated: true,
      user: {
        name: "Avery Brooks",
        username: "avery.brooks@example.com",
        oid: customer.oid,
        tenantId: servers.emulator.tenantId,
      },
      expiresAt: expect.any(String),
      features: { signUp: true, editProfile: false, directory: false },
    });
    // Graph serves customers' own profile: /api/me is Graph's, as for workforce.
    const profile = json(await me(jar));
    expect(profile).toMatchObject({ id: customer.oid, mail: "avery.brooks@example.com" });
    expect(profile).not.toHaveProperty("source");
  });

  it("renews an expired access token, checking the renewed identity", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 1);
    expect((await me(jar)).statusCode).toBe(200);
    servers.bff.clock.advance(3600_000);
    expect((await me(jar)).statusCode).toBe(200);

    servers.bff.clock.advance(3600_000);
    servers.emulator.faults.add({
      target: "token",
      kind: "id_token_claims",
      grantType: "refresh_token",
      // A workforce issuer for the same tenant: another kind of tenant, not this one.
      set: { iss: `${servers.emulator.url}/${servers.emulator.tenantId}/v2.0` },
      times: 1,
    });
    const refused = await me(jar);
    expect(refused.statusCode).toBe(401);
    expect(json(refused).code).toBe("session_expired");
  });

  it("signs out at External ID's end-session endpoint", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, { url: "/auth/login" });
    const answer = await signInAs(String(login.headers.location), 0);
    await followCallback(servers.bff, jar, answer.location);
    const response = await servers.bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });
    const location = new URL(String(response.headers.location));
    expect(location.pathname).toBe(`/${servers.emulator.tenantId}/oauth2/v2.0/logout`);
    expect((await signOut(location.href, { cookie: answer.cookie! })).redirect).toBe(
      "http://localhost:3000/",
    );
    expect(await session(jar)).toMatchObject({ authenticated: false });
  });
});

describe("self-service sign-up: /auth/login?prompt=create", () => {
  it("creates the account at External ID and signs it in", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, {
      url: "/auth/login?prompt=create&returnTo=%2Fwelcome",
    });
    expect(login.statusCode).toBe(302);
    const url = new URL(String(login.headers.location));
    expect(url.searchParams.get("prompt")).toBe("create");
    const { location } = await signUpAs(url.href, {
      email: "casey.new@example.com",
      displayName: "Casey New",
      givenName: "Casey",
      surname: "New",
    });
    const callback = await followCallback(servers.bff, jar, location);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe("http://localhost:3000/welcome");
    const created = servers.emulator.users.find((u) => u.mail === "casey.new@example.com")!;
    expect((await session(jar)).user).toEqual({
      name: "Casey New",
      username: "casey.new@example.com",
      oid: created.oid,
      tenantId: servers.emulator.tenantId,
    });
    expect(json(await me(jar))).toMatchObject({ id: created.oid, displayName: "Casey New" });
  });

  it("a cancelled sign-up is a cancelled sign-in, with no session", async () => {
    const jar = new CookieJar();
    const login = await servers.bff.request(jar, { url: "/auth/login?prompt=create" });
    const { location } = await signInAs(String(login.headers.location), 0, { signUp: "cancel" });
    const callback = await followCallback(servers.bff, jar, location);
    expect(authError(callback.headers.location)).toBe("access_denied");
    expect(jar.names()).toEqual([]);
  });

  it.each(["none", "login", "consent", "select_account", "CREATE", "create login", ""])(
    "refuses prompt=%j without starting a sign-in",
    async (prompt) => {
      const jar = new CookieJar();
      const response = await servers.bff.request(jar, {
        url: `/auth/login?prompt=${encodeURIComponent(prompt)}`,
      });
      expect(response.statusCode).toBe(303);
      expect(authError(response.headers.location)).toBe("prompt_not_allowed");
      expect(jar.names()).toEqual([]);
    },
  );

  it("has no profile edit user flow (that is B2C's)", async () => {
    const response = await servers.bff.request(new CookieJar(), { url: "/auth/edit-profile" });
    expect(response.statusCode).toBe(404);
    expect(json(response).code).toBe("not_found");
  });
});
