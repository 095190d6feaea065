import { signInAs } from "@entra-bff/entra-emulator";
import { describe, expect, it } from "vitest";
import { safeUrl } from "../src/logger.ts";
import {
  CookieJar,
  csrf,
  followCallback,
  openCookie,
  signIn,
  useEmulatorAndBff,
} from "./helpers/bff.ts";

const servers = useEmulatorAndBff({ env: { LOG_LEVEL: "trace" } });

/**
 * The refresh token inside a jar's token cookies, decrypted with the app's own keys. Access
 * and ID tokens never reach a cookie; they are JWTs, and any JWT anywhere fails the test.
 */
function tokensIn(jar: CookieJar): string[] {
  const sealed = [0, 1, 2].map((i) => jar.cookies.get(`bff-token-${i}`) ?? "").join("");
  const data = openCookie<{ rt?: string; at?: string }>(servers.bff, sealed);
  expect(data?.at).toBeUndefined();
  return [data?.rt].filter((t): t is string => typeof t === "string" && t.length > 0);
}

const jwtShape = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/;

describe("no secret in a log line or a response", () => {
  it("a full flow leaks no code, access token, refresh token or ID token", async () => {
    const secrets = new Set<string>();
    const jar = new CookieJar();

    // Sign-in, with the code recorded.
    const login = await servers.bff.request(jar, { url: "/auth/login?returnTo=/profile" });
    const callbackUrl = (await signInAs(String(login.headers.location), 0)).location;
    secrets.add(new URL(callbackUrl).searchParams.get("code")!);
    expect((await followCallback(servers.bff, jar, callbackUrl)).statusCode).toBe(303);
    for (const token of tokensIn(jar)) secrets.add(token);

    await servers.bff.request(jar, { url: "/auth/session" });
    await servers.bff.request(jar, { url: "/api/me", headers: csrf });
    // Renewal: new tokens.
    servers.bff.clock.advance(3600_000);
    await servers.bff.request(jar, { url: "/api/me", headers: csrf });
    for (const token of tokensIn(jar)) secrets.add(token);
    // Failures log their causes.
    servers.emulator.faults.add({ target: "graph", kind: "claims_challenge" });
    await servers.bff.request(jar, { url: "/api/me", headers: csrf });
    servers.emulator.faults.clear();
    servers.emulator.faults.add({
      target: "token",
      kind: "invalid_grant",
      grantType: "authorization_code",
      times: 1,
    });
    const failing = new CookieJar();
    const failingLogin = await servers.bff.request(failing, { url: "/auth/login" });
    const failingCallback = (await signInAs(String(failingLogin.headers.location), 1)).location;
    secrets.add(new URL(failingCallback).searchParams.get("code")!);
    await followCallback(servers.bff, failing, failingCallback);
    // A second user, then a refused renewal.
    const other = new CookieJar();
    await signIn(servers.bff, other, 1);
    for (const token of tokensIn(other)) secrets.add(token);
    servers.bff.clock.advance(3600_000);
    servers.emulator.faults.add({
      target: "token",
      kind: "invalid_grant",
      grantType: "refresh_token",
      times: 1,
    });
    await servers.bff.request(other, { url: "/api/me", headers: csrf });
    await servers.bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });

    // Two codes, and three refresh tokens (the first, its rotation, the second user's).
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    expect(servers.bff.logs.length).toBeGreaterThan(20);
    const visible = [
      ...servers.bff.logs,
      ...servers.bff.responses.map((r) => r.body),
      ...servers.bff.responses.map((r) =>
        JSON.stringify({ ...r.headers, "set-cookie": undefined }),
      ),
    ];
    for (const text of visible) {
      for (const secret of secrets)
        expect(text.includes(secret), `a secret appears in: ${text.slice(0, 300)}`).toBe(false);
      expect(jwtShape.test(text), `a JWT appears in: ${text.slice(0, 300)}`).toBe(false);
    }
    // The callback was logged, without its query.
    expect(
      servers.bff.logs.some((line) => line.includes('"url":"/auth/callback?[redacted]"')),
    ).toBe(true);
    servers.bff.clock.advance(-2 * 3600_000);
  });
});

describe("safeUrl", () => {
  it.each([
    ["/auth/callback?code=secret&state=s", "/auth/callback?[redacted]"],
    ["/auth/callback/?code=secret", "/auth/callback/?[redacted]"],
    ["/AUTH/Callback?code=secret", "/AUTH/Callback?[redacted]"],
    ["/auth/login?returnTo=/profile", "/auth/login?returnTo=/profile"],
    ["/api/me", "/api/me"],
  ])("%s → %s", (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });
});
