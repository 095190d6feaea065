// Admin-consent onboarding against the real emulator with a second tenant (Fabrikam): the
// BFF sends the admin to Entra's /{tenant}/v2.0/adminconsent, checks the answer's state and
// shows the SPA's result page, never touching the session.
import {
  createEmulator,
  type Emulator,
  fabrikamTenant,
  signInAs,
  tasksApiClientId,
} from "@entra-bff/entra-emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, followCallback, json, signIn, startBff, type TestBff } from "../helpers/bff.ts";

const fabrikam = fabrikamTenant.tenantId;
const megan = "MeganB@fabrikam.example"; // Fabrikam's administrator
const lee = "LeeG@fabrikam.example";
const tasksScope = `api://${tasksApiClientId}/Tasks.ReadWrite`;

const servers = {} as { emulator: Emulator; bff: TestBff };
beforeAll(async () => {
  servers.emulator = await createEmulator({ port: 0, tenants: [fabrikamTenant] });
  servers.bff = await startBff(servers.emulator, {
    // Multi-tenant, as the registration this project models: any organization's admin.
    ENTRA_AUTHORITY: `${servers.emulator.url}/organizations`,
    INCREMENTAL_SCOPES: `User.ReadBasic.All ${tasksScope}`,
  });
});
afterAll(async () => {
  await servers.bff?.close();
  await servers.emulator?.close();
});
afterEach(() => {
  servers.emulator.consents.revokeTenant(fabrikam);
  servers.emulator.faults.clear();
});

const resultPage = "http://localhost:3000/admin-consent";

/** GET /auth/admin-consent?tenant=…, expecting the redirect to Entra. */
async function start(jar: CookieJar, tenant: string, bff = servers.bff) {
  const response = await bff.request(jar, {
    url: `/auth/admin-consent?tenant=${encodeURIComponent(tenant)}`,
  });
  expect(response.statusCode, response.body).toBe(302);
  return { response, location: new URL(String(response.headers.location)) };
}

function resultOf(location: unknown) {
  const url = new URL(String(location));
  expect(`${url.origin}${url.pathname}`).toBe(resultPage);
  return Object.fromEntries(url.searchParams);
}

describe("GET /auth/admin-consent", () => {
  it("sends the admin to Entra's admin consent endpoint for the app's permissions", async () => {
    const jar = new CookieJar();
    const { response, location } = await start(jar, fabrikam);
    expect(`${location.origin}${location.pathname}`).toBe(
      `${servers.emulator.browserUrl}/${fabrikam}/v2.0/adminconsent`,
    );
    const params = Object.fromEntries(location.searchParams);
    expect(Object.keys(params)).toEqual(["client_id", "scope", "redirect_uri", "state"]);
    expect(params.client_id).toBe(servers.bff.config.clientId);
    expect(params.scope!.split(" ")).toEqual([
      "https://graph.microsoft.com/.default",
      `api://${tasksApiClientId}/.default`,
    ]);
    expect(params.redirect_uri).toBe("http://localhost:3000/auth/admin-consent/callback");
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The attempt lives in one short-lived, encrypted, HttpOnly, Lax cookie; no session.
    const cookies = [response.headers["set-cookie"]].flat().map(String);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(
      /^bff-admin-consent=[^;]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(cookies[0]).not.toContain(params.state!);
    expect(response.headers["cache-control"]).toBe("no-store");
  });

  it("a domain names the tenant too", async () => {
    const { location } = await start(new CookieJar(), "Fabrikam.Example");
    expect(location.pathname).toBe("/fabrikam.example/v2.0/adminconsent");
  });

  it("refuses what names no organization, with a readable reason and no cookie", async () => {
    for (const tenant of [
      "",
      "common",
      "organizations",
      "consumers",
      "not a tenant",
      "../x",
      "a".repeat(300),
    ]) {
      const response = await servers.bff.request(new CookieJar(), {
        url: `/auth/admin-consent?tenant=${encodeURIComponent(tenant)}`,
      });
      expect(response.statusCode, tenant).toBe(303);
      expect(resultOf(response.headers.location)).toEqual({
        result: "failed",
        error: "invalid_tenant",
      });
      expect(response.headers["set-cookie"]).toBeUndefined();
    }
    const none = await servers.bff.request(new CookieJar(), { url: "/auth/admin-consent" });
    expect(resultOf(none.headers.location).error).toBe("invalid_tenant");
  });
});

describe("the round trip", () => {
  it("the admin grants: result=granted&tenant=<tid>, no session; then her users sign in", async () => {
    const jar = new CookieJar();
    const { location } = await start(jar, fabrikam);
    const answer = await signInAs(location.href, megan);
    expect(answer.consentPrompt).toEqual(["User.Read", "User.ReadBasic.All", tasksScope]);
    const callback = await followCallback(servers.bff, jar, answer.location);
    expect(callback.statusCode).toBe(303);
    expect(resultOf(callback.headers.location)).toEqual({ result: "granted", tenant: fabrikam });
    expect(callback.headers["referrer-policy"]).toBe("no-referrer");
    // The attempt cookie is gone, and no session was created.
    expect([callback.headers["set-cookie"]].flat().map(String)).toEqual([
      expect.stringMatching(/^bff-admin-consent=; Max-Age=0; /),
    ]);
    const session = await servers.bff.request(jar, { url: "/auth/session" });
    expect(json(session)).toEqual({ authenticated: false });

    // Replaying the same answer finds no attempt.
    const replay = await followCallback(servers.bff, jar, answer.location);
    expect(resultOf(replay.headers.location)).toEqual({
      result: "failed",
      error: "state_mismatch",
    });

    // Everyone in Fabrikam can now sign in without being asked for approval.
    const user = new CookieJar();
    const signedIn = await signIn(servers.bff, user, lee);
    expect(signedIn.statusCode).toBe(303);
    const who = json<{ user: { tenantId: string; username: string } }>(
      await servers.bff.request(user, { url: "/auth/session" }),
    );
    expect(who.user).toMatchObject({ tenantId: fabrikam, username: lee });
  });

  it("before admin consent, Fabrikam's users meet Entra's 'Need admin approval'", async () => {
    const login = await servers.bff.request(new CookieJar(), { url: "/auth/login" });
    await expect(signInAs(String(login.headers.location), lee)).rejects.toThrow(/AADSTS90094/);
  });

  it("Cancel at Entra → result=failed&error=consent_required; nothing granted", async () => {
    const jar = new CookieJar();
    const { location } = await start(jar, fabrikam);
    const answer = await signInAs(location.href, megan, { consent: "decline" });
    const callback = await followCallback(servers.bff, jar, answer.location);
    expect(resultOf(callback.headers.location)).toEqual({
      result: "failed",
      error: "consent_required",
    });
    expect(servers.emulator.consents.listTenant()).toEqual([]);
  });

  it("a non-admin → result=failed&error=access_denied", async () => {
    const jar = new CookieJar();
    const { location } = await start(jar, fabrikam);
    const answer = await signInAs(location.href, lee, { consent: "decline" });
    const callback = await followCallback(servers.bff, jar, answer.location);
    expect(resultOf(callback.headers.location)).toEqual({
      result: "failed",
      error: "access_denied",
    });
  });

  it("an answer for another tenant than asked is refused (tenant_mismatch)", async () => {
    const jar = new CookieJar();
    const { location } = await start(jar, fabrikam);
    const forged = new URL("http://localhost:3000/auth/admin-consent/callback");
    forged.searchParams.set("admin_consent", "True");
    forged.searchParams.set("tenant", servers.emulator.tenantId);
    forged.searchParams.set("scope", "https://graph.microsoft.com/User.Read");
    forged.searchParams.set("state", location.searchParams.get("state")!);
    const callback = await followCallback(servers.bff, jar, forged.href);
    expect(resultOf(callback.headers.location)).toEqual({
      result: "failed",
      error: "tenant_mismatch",
    });
  });

  it("refuses answers without this browser's attempt, stale ones, and malformed ones", async () => {
    const jar = new CookieJar();
    const { location } = await start(jar, fabrikam);
    const state = location.searchParams.get("state")!;
    const callbackUrl = (params: Record<string, string>) =>
      `http://localhost:3000/auth/admin-consent/callback?${new URLSearchParams(params)}`;
    const granted = { admin_consent: "True", tenant: fabrikam, state };

    // Another browser (no cookie) with the right state.
    const other = await followCallback(servers.bff, new CookieJar(), callbackUrl(granted));
    expect(resultOf(other.headers.location).error).toBe("state_mismatch");
    // A wrong state spends the attempt.
    const wrong = await followCallback(
      servers.bff,
      jar,
      callbackUrl({ ...granted, state: "x".repeat(43) }),
    );
    expect(resultOf(wrong.headers.location).error).toBe("state_mismatch");
    const spent = await followCallback(servers.bff, jar, callbackUrl(granted));
    expect(resultOf(spent.headers.location).error).toBe("state_mismatch");

    // Expired: after the attempt's 10 minutes.
    const late = new CookieJar();
    const lateStart = await start(late, fabrikam);
    servers.bff.clock.advance(600_000);
    try {
      const expired = await followCallback(
        servers.bff,
        late,
        callbackUrl({ ...granted, state: lateStart.location.searchParams.get("state")! }),
      );
      expect(resultOf(expired.headers.location).error).toBe("state_mismatch");
    } finally {
      servers.bff.clock.advance(-600_000);
    }

    // admin_consent missing, or a tenant that is not an id: Entra never answers so.
    const malformed: Record<string, string>[] = [
      { tenant: fabrikam },
      { admin_consent: "True", tenant: "fabrikam.example" },
    ];
    for (const bad of malformed) {
      const fresh = new CookieJar();
      const again = await start(fresh, "fabrikam.example");
      const response = await followCallback(
        servers.bff,
        fresh,
        callbackUrl({ ...bad, state: again.location.searchParams.get("state")! }),
      );
      expect(resultOf(response.headers.location).error).toBe("idp_error");
    }

    // An error Entra sends that the page has no words for: idp_error, not echoed.
    const fresh = new CookieJar();
    const third = await start(fresh, fabrikam);
    const odd = await followCallback(
      servers.bff,
      fresh,
      callbackUrl({
        admin_consent: "True",
        error: "<script>",
        error_description: "x",
        state: third.location.searchParams.get("state")!,
      }),
    );
    expect(resultOf(odd.headers.location)).toEqual({ result: "failed", error: "idp_error" });
  });
});

describe("ALLOWED_TENANTS", () => {
  it("refuses a tenant outside it at the start, and a domain whose tenant is outside it at the answer", async () => {
    const bff = await startBff(servers.emulator, {
      ENTRA_AUTHORITY: `${servers.emulator.url}/organizations`,
      ALLOWED_TENANTS: servers.emulator.tenantId,
    });
    try {
      const refused = await bff.request(new CookieJar(), {
        url: `/auth/admin-consent?tenant=${fabrikam}`,
      });
      expect(refused.statusCode).toBe(303);
      expect(resultOf(refused.headers.location)).toEqual({
        result: "failed",
        error: "tenant_not_allowed",
      });
      expect(refused.headers["set-cookie"]).toBeUndefined();

      const jar = new CookieJar();
      const { location } = await start(jar, "fabrikam.example", bff);
      const answer = await signInAs(location.href, megan);
      const callback = await followCallback(bff, jar, answer.location);
      expect(resultOf(callback.headers.location)).toEqual({
        result: "failed",
        error: "tenant_not_allowed",
      });

      // The allowed tenant's admin onboards as usual.
      const ok = new CookieJar();
      const own = await start(ok, servers.emulator.tenantId, bff);
      const granted = await signInAs(own.location.href, "AdeleV@contoso.example");
      const done = await followCallback(bff, ok, granted.location);
      expect(resultOf(done.headers.location)).toEqual({
        result: "granted",
        tenant: servers.emulator.tenantId,
      });
    } finally {
      await bff.close();
    }
  });

  it("an unreachable IdP: result=failed&error=idp_unavailable", async () => {
    const bff = await startBff(
      servers.emulator,
      { ENTRA_AUTHORITY: "https://127.0.0.1:9/organizations" },
      { waitForMetadata: false, idpRetryDelayMs: 60_000 },
    );
    try {
      const response = await bff.request(new CookieJar(), {
        url: `/auth/admin-consent?tenant=${fabrikam}`,
      });
      expect(resultOf(response.headers.location)).toEqual({
        result: "failed",
        error: "idp_unavailable",
      });
    } finally {
      await bff.close();
    }
  });
});
