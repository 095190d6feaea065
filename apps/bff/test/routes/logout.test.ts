import { describe, expect, it } from "vitest";
import { CookieJar, csrf, json, signIn, useEmulatorAndBff } from "../helpers/bff.ts";
import { setCookies } from "../helpers/cookie-jar.ts";

const servers = useEmulatorAndBff();

const logout = (jar: CookieJar, headers: Record<string, string> = {}) =>
  servers.bff.request(jar, {
    method: "POST",
    url: "/auth/logout",
    headers: { ...csrf, origin: "http://localhost:3000", ...headers },
  });

describe("POST /auth/logout", () => {
  it("clears every session cookie and redirects (303) to the end-session endpoint", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    // A pending sign-in in another tab is cleared too.
    await servers.bff.request(jar, { url: "/auth/login" });
    const before = jar.names();
    expect(before).toHaveLength(3);

    const response = await logout(jar);
    expect(response.statusCode).toBe(303);
    expect(response.headers["cache-control"]).toBe("no-store");
    const location = new URL(String(response.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(
      `${servers.emulator.browserUrl}/${servers.emulator.tenantId}/oauth2/v2.0/logout`,
    );
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe("http://localhost:3000/");
    expect(location.searchParams.get("client_id")).toBe(servers.bff.config.clientId);
    expect(location.searchParams.get("logout_hint")).toBeTruthy();

    const cleared = setCookies(response);
    for (const name of before) {
      const cookie = cleared.find((c) => c.name === name);
      expect(cookie?.value).toBe("");
      expect(cookie?.attributes.get("max-age")).toBe("0");
    }
    expect(jar.names()).toEqual([]);
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toEqual({
      authenticated: false,
    });
  });

  it("refuses a copy of the cookies taken before logout", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    const copy = jar.clone();
    // Polled first, so the answer for this identity is already serialized and remembered.
    for (let i = 0; i < 2; i++) {
      const polled = await servers.bff.request(copy.clone(), { url: "/auth/session" });
      expect(json(polled)).toMatchObject({ authenticated: true });
    }
    expect((await logout(jar)).statusCode).toBe(303);
    expect(json(await servers.bff.request(copy, { url: "/auth/session" }))).toEqual({
      authenticated: false,
    });
    const replayed = await servers.bff.request(copy, { url: "/api/me", headers: csrf });
    expect(replayed.statusCode).toBe(401);
    expect(json(replayed).code).toBe("not_authenticated");
  });

  it("answers JSON { redirectTo } to a fetch that asks for JSON", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 1);
    const response = await logout(jar, { accept: "application/json" });
    expect(response.statusCode).toBe(200);
    const { redirectTo } = json<{ redirectTo: string }>(response);
    expect(new URL(redirectTo).searchParams.get("post_logout_redirect_uri")).toBe(
      "http://localhost:3000/",
    );
    expect(jar.names()).toEqual([]);
  });

  it("works without a session (still clears and redirects, without logout_hint)", async () => {
    const response = await logout(new CookieJar());
    expect(response.statusCode).toBe(303);
    expect(new URL(String(response.headers.location)).searchParams.has("logout_hint")).toBe(false);
  });

  it("refuses a request without X-CSRF: 1 (403 csrf_required), keeping the session", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    const response = await servers.bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { origin: "http://localhost:3000" },
    });
    expect(response.statusCode).toBe(403);
    expect(json(response)).toEqual({
      code: "csrf_required",
      message: "This endpoint requires the anti-forgery header `X-CSRF: 1`.",
    });
    expect(response.headers["set-cookie"]).toBeUndefined();
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toMatchObject({
      authenticated: true,
    });
  });

  it("refuses a cross-site Origin or Sec-Fetch-Site (403 cross_site_request)", async () => {
    const jar = new CookieJar();
    await signIn(servers.bff, jar, 0);
    const hostile: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://localhost:3001" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of hostile) {
      const response = await servers.bff.request(jar, {
        method: "POST",
        url: "/auth/logout",
        headers: { ...csrf, ...headers },
      });
      expect(response.statusCode).toBe(403);
      expect(json(response).code).toBe("cross_site_request");
      expect(response.headers["set-cookie"]).toBeUndefined();
    }
    expect(json(await servers.bff.request(jar, { url: "/auth/session" }))).toMatchObject({
      authenticated: true,
    });
  });

  it("GET is not a way to log out", async () => {
    const response = await servers.bff.request(new CookieJar(), { url: "/auth/logout" });
    expect(response.statusCode).toBe(404);
    expect(json(response).code).toBe("not_found");
  });
});
