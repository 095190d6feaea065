import { createEmulator, type Emulator, signInAs } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeUrl } from "../src/logger.ts";
import { CookieJar, csrf, followCallback, signIn, startBff, type TestBff } from "./helpers/bff.ts";

let emulator: Emulator;
let bff: TestBff;

beforeAll(async () => {
  emulator = await createEmulator({ port: 0 });
  bff = await startBff(emulator, { LOG_LEVEL: "trace" });
});
afterAll(async () => {
  await bff?.close();
  await emulator?.close();
});

/** The tokens inside a jar's token cookies, decrypted with the app's own keys. */
function tokensIn(jar: CookieJar): string[] {
  const sealed = [0, 1, 2].map((i) => jar.cookies.get(`bff-token-${i}`) ?? "").join("");
  const data = bff.app.decodeSecureSession(sealed.replace(".", ";"))?.data() as
    | { rt?: string; at?: string }
    | undefined;
  return [data?.rt, data?.at].filter((t): t is string => typeof t === "string" && t.length > 0);
}

const jwtShape = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/;

describe("no secret in a log line or a response", () => {
  it("a full flow leaks no code, access token, refresh token or ID token", async () => {
    const secrets = new Set<string>();
    const jar = new CookieJar();

    // Sign-in, with the code recorded.
    const login = await bff.request(jar, { url: "/auth/login?returnTo=/profile" });
    const callbackUrl = (await signInAs(String(login.headers.location), 0)).location;
    secrets.add(new URL(callbackUrl).searchParams.get("code")!);
    expect((await followCallback(bff, jar, callbackUrl)).statusCode).toBe(303);
    for (const token of tokensIn(jar)) secrets.add(token);

    await bff.request(jar, { url: "/auth/session" });
    await bff.request(jar, { url: "/api/me", headers: csrf });
    // Renewal: new tokens.
    bff.clock.advance(3600_000);
    await bff.request(jar, { url: "/api/me", headers: csrf });
    for (const token of tokensIn(jar)) secrets.add(token);
    // Failures log their causes.
    emulator.faults.add({ target: "graph", kind: "claims_challenge" });
    await bff.request(jar, { url: "/api/me", headers: csrf });
    emulator.faults.clear();
    emulator.faults.add({
      target: "token",
      kind: "invalid_grant",
      grantType: "authorization_code",
      times: 1,
    });
    const failing = new CookieJar();
    const failingLogin = await bff.request(failing, { url: "/auth/login" });
    const failingCallback = (await signInAs(String(failingLogin.headers.location), 1)).location;
    secrets.add(new URL(failingCallback).searchParams.get("code")!);
    await followCallback(bff, failing, failingCallback);
    // A second user, then a refused renewal.
    const other = new CookieJar();
    await signIn(bff, other, 1);
    for (const token of tokensIn(other)) secrets.add(token);
    bff.clock.advance(3600_000);
    emulator.faults.add({
      target: "token",
      kind: "invalid_grant",
      grantType: "refresh_token",
      times: 1,
    });
    await bff.request(other, { url: "/api/me", headers: csrf });
    await bff.request(jar, {
      method: "POST",
      url: "/auth/logout",
      headers: { ...csrf, origin: "http://localhost:3000" },
    });

    expect(secrets.size).toBeGreaterThanOrEqual(6);
    expect(bff.logs.length).toBeGreaterThan(20);
    const visible = [
      ...bff.logs,
      ...bff.responses.map((r) => r.body),
      ...bff.responses.map((r) => JSON.stringify({ ...r.headers, "set-cookie": undefined })),
    ];
    for (const text of visible) {
      for (const secret of secrets)
        expect(text.includes(secret), `a secret appears in: ${text.slice(0, 300)}`).toBe(false);
      expect(jwtShape.test(text), `a JWT appears in: ${text.slice(0, 300)}`).toBe(false);
    }
    // The callback was logged, without its query.
    expect(bff.logs.some((line) => line.includes('"url":"/auth/callback?[redacted]"'))).toBe(true);
    bff.clock.advance(-2 * 3600_000);
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
