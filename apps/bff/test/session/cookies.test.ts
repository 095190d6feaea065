import { SessionResponseSchema } from "@entra-bff/contract";
import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import { maxCookieBytes } from "../../src/session/cookies.ts";
import {
  CookieJar,
  csrf,
  json,
  sessionKey,
  signIn,
  startBff,
  useEmulatorAndBff,
} from "../helpers/bff.ts";
import { setCookies } from "../helpers/cookie-jar.ts";

const httpsOrigin = "https://app.contoso.example";
const servers = useEmulatorAndBff({
  emulator: {
    clients: [
      {
        clientId: "00000000-0000-0000-0000-00000000c00c",
        clientSecret: "dev-only-cookie-test-secret",
        redirectUris: ["http://localhost:3000/auth/callback", `${httpsOrigin}/auth/callback`],
      },
    ],
  },
});

const session = (jar: CookieJar, target = servers.bff) =>
  target.request(jar, { url: "/auth/session" });
const me = (jar: CookieJar, target = servers.bff) =>
  target.request(jar, { url: "/api/me", headers: csrf });

async function signedIn(user = 0, target = servers.bff): Promise<CookieJar> {
  const jar = new CookieJar();
  expect((await signIn(target, jar, user)).statusCode).toBe(303);
  return jar;
}

describe("cookie attributes and sizes", () => {
  it("session cookies are HttpOnly, SameSite=Strict, Path=/, not Secure on http://localhost, within 4096 bytes", async () => {
    const jar = new CookieJar();
    const callback = await signIn(servers.bff, jar, 0);
    const cookies = setCookies(callback).filter((c) => c.value !== "");
    expect(cookies.map((c) => c.name).sort()).toEqual(["bff-session", "bff-token-0"]);
    for (const cookie of cookies) {
      expect(cookie.attributes.get("httponly")).toBe(true);
      expect(cookie.attributes.get("samesite")).toBe("Strict");
      expect(cookie.attributes.get("path")).toBe("/");
      expect(cookie.attributes.has("secure")).toBe(false);
      expect(cookie.attributes.get("max-age")).toBe(String(24 * 3600));
      expect(cookie.attributes.has("domain")).toBe(false);
      expect(Buffer.byteLength(cookie.line)).toBeLessThanOrEqual(maxCookieBytes);
    }
    // The identity cookie, sent with every request, stays small.
    expect(Buffer.byteLength(cookies.find((c) => c.name === "bff-session")!.line)).toBeLessThan(
      1024,
    );
  });

  it("with an https public origin every cookie is Secure and __Host- prefixed", async () => {
    const secure = await startBff(servers.emulator, { PUBLIC_ORIGIN: httpsOrigin });
    try {
      const jar = new CookieJar();
      const login = await secure.request(jar, { url: "/auth/login" });
      const tx = setCookies(login)[0]!;
      expect(tx.name).toMatch(/^__Host-bff-tx-/);
      expect(tx.attributes.has("secure")).toBe(true);
      expect(new URL(String(login.headers.location)).searchParams.get("redirect_uri")).toBe(
        `${httpsOrigin}/auth/callback`,
      );

      const callback = await signIn(secure, jar, 0);
      expect(callback.headers.location).toBe(`${httpsOrigin}/`);
      const cookies = setCookies(callback);
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) {
        expect(cookie.name).toMatch(/^__Host-bff-/);
        expect(cookie.attributes.has("secure")).toBe(true);
        expect(cookie.attributes.get("path")).toBe("/");
        expect(cookie.attributes.has("domain")).toBe(false);
        expect(cookie.attributes.get("httponly")).toBe(true);
        expect(Buffer.byteLength(cookie.line)).toBeLessThanOrEqual(maxCookieBytes);
      }
      expect(json(await session(jar, secure))).toMatchObject({ authenticated: true });
      expect((await me(jar, secure)).statusCode).toBe(200);
    } finally {
      await secure.close();
    }
  });
});

describe("cookies that are not ours are 'signed out', never a 500", () => {
  function flip(value: string, at: number): string {
    const c = value[at] === "A" ? "B" : "A";
    return `${value.slice(0, at)}${c}${value.slice(at + 1)}`;
  }

  it("a tampered identity cookie", async () => {
    const jar = await signedIn();
    const value = jar.cookies.get("bff-session")!;
    for (const at of [0, 10, value.length - 5]) {
      const tampered = jar.clone();
      tampered.cookies.set("bff-session", flip(value, at));
      const response = await session(tampered);
      expect(response.statusCode).toBe(200);
      expect(json(response)).toEqual({ authenticated: false });
      expect((await me(tampered)).statusCode).toBe(401);
    }
  });

  it("a tampered or truncated token cookie", async () => {
    const jar = await signedIn();
    const value = jar.cookies.get("bff-token-0")!;
    for (const broken of [
      flip(value, 20),
      value.slice(0, value.length - 10),
      value.slice(0, 30),
      "",
      "garbage",
      ".",
      "a.b",
    ]) {
      const tampered = jar.clone();
      tampered.cookies.set("bff-token-0", broken);
      const response = await me(tampered);
      expect(response.statusCode).toBe(401);
      expect(json(response).code).toBe("not_authenticated");
      // The broken session is cleared.
      expect(tampered.names()).toEqual([]);
    }
  });

  it("a token cookie swapped in from another user's session", async () => {
    const [adele, alex] = await Promise.all([signedIn(0), signedIn(1)]);
    const swapped = adele.clone();
    swapped.cookies.set("bff-token-0", alex.cookies.get("bff-token-0")!);
    const response = await me(swapped);
    expect(response.statusCode).toBe(401);
    expect(json(response).code).toBe("not_authenticated");
    expect(
      servers.bff.logs.some((line) => line.includes("token cookie belongs to another session")),
    ).toBe(true);
    // Other cookie kinds under the identity's name do not pass for an identity either.
    const mixed = new CookieJar([["bff-session", alex.cookies.get("bff-token-0")!]]);
    expect(json(await session(mixed))).toEqual({ authenticated: false });
  });

  it("a cookie sealed with a key this BFF does not have", async () => {
    const other = await startBff(servers.emulator, { SESSION_KEYS: sessionKey() });
    try {
      const jar = await signedIn(0, other);
      expect(json(await session(jar))).toEqual({ authenticated: false });
      expect((await me(jar)).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("key rotation", () => {
  it("an older key still decrypts, and the cookies are re-issued under the newest key", async () => {
    const oldKey = servers.bff.config.sessionKeys[0]!.toString("base64");
    const newKey = sessionKey();
    const jar = await signedIn(1);
    const rotated = await startBff(servers.emulator, { SESSION_KEYS: `${newKey},${oldKey}` });
    const newOnly = await startBff(servers.emulator, { SESSION_KEYS: newKey });
    try {
      // Before rotation the new-key-only instance cannot read the cookies.
      expect(json(await session(jar.clone(), newOnly))).toEqual({ authenticated: false });

      const sessionResponse = await session(jar, rotated);
      expect(json(sessionResponse)).toMatchObject({
        authenticated: true,
        user: { oid: servers.emulator.users[1]!.oid },
      });
      expect(setCookies(sessionResponse).map((c) => c.name)).toEqual(["bff-session"]);
      const meResponse = await me(jar, rotated);
      expect(meResponse.statusCode).toBe(200);
      expect(setCookies(meResponse).map((c) => c.name)).toContain("bff-token-0");

      // Re-issued cookies are readable with the newest key alone.
      expect(json(await session(jar.clone(), newOnly))).toMatchObject({ authenticated: true });
      expect((await me(jar.clone(), newOnly)).statusCode).toBe(200);
      // And they are not re-issued again.
      expect((await session(jar, rotated)).headers["set-cookie"]).toBeUndefined();
    } finally {
      await rotated.close();
      await newOnly.close();
    }
  });
});

describe("session lifetime", () => {
  it("polling /auth/session does not extend the idle expiry; /api/me does", async () => {
    const jar = await signedIn(0);
    const start = servers.bff.clock.now;
    const first = json<{ expiresAt: string }>(await session(jar));
    expect(Date.parse(first.expiresAt)).toBe(start + 120 * 60_000);
    try {
      servers.bff.clock.advance(30 * 60_000);
      const polled = await session(jar);
      expect(json(polled).expiresAt).toBe(first.expiresAt);
      expect(polled.headers["set-cookie"]).toBeUndefined();

      expect((await me(jar)).statusCode).toBe(200);
      const extended = json<{ expiresAt: string }>(await session(jar));
      expect(Date.parse(extended.expiresAt)).toBe(start + 150 * 60_000);
    } finally {
      servers.bff.clock.advance(-30 * 60_000);
    }
  });

  it("a polled answer is the contract's JSON, the same bytes each time, until the identity changes", async () => {
    const jar = await signedIn(1);
    const first = await session(jar);
    expect(first.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Value.Check(SessionResponseSchema, json(first))).toBe(true);
    expect(json(first)).toMatchObject({
      authenticated: true,
      user: { oid: servers.emulator.users[1]!.oid },
    });
    const again = await session(jar);
    expect(again.body).toBe(first.body);
    expect(again.headers["content-length"]).toBe(String(Buffer.byteLength(first.body)));
    // Another user's cookie, another answer: nothing is shared between identities.
    const other = await session(await signedIn(0));
    expect(json(other)).toMatchObject({ user: { oid: servers.emulator.users[0]!.oid } });
  });

  it("an idle session ends, and its cookie is cleared", async () => {
    const jar = await signedIn(0);
    servers.bff.clock.advance(121 * 60_000);
    try {
      const response = await session(jar);
      expect(json(response)).toEqual({ authenticated: false });
      expect(setCookies(response).map((c) => [c.name, c.attributes.get("max-age")])).toEqual([
        ["bff-session", "0"],
      ]);
    } finally {
      servers.bff.clock.advance(-121 * 60_000);
    }
  });

  it("a short idle lifetime (1 minute) is kept alive by activity every 20 s, and ends 1 minute after the last", async () => {
    const short = await startBff(servers.emulator, {
      SESSION_KEYS: sessionKey(),
      SESSION_IDLE_MINUTES: "1",
    });
    try {
      const jar = await signedIn(0, short);
      for (let i = 0; i < 6; i++) {
        short.clock.advance(20_000);
        expect((await me(jar, short)).statusCode).toBe(200);
      }
      const last = json<{ expiresAt: string }>(await session(jar, short));
      expect(Date.parse(last.expiresAt)).toBe(short.clock.now + 60_000);
      short.clock.advance(60_000);
      expect(json(await session(jar, short))).toEqual({ authenticated: false });
    } finally {
      await short.close();
    }
  });

  it("an active session still ends at its absolute expiry", async () => {
    const short = await startBff(servers.emulator, {
      SESSION_KEYS: sessionKey(),
      SESSION_IDLE_MINUTES: "60",
      SESSION_ABSOLUTE_HOURS: "2",
    });
    try {
      const jar = await signedIn(0, short);
      for (let i = 0; i < 2; i++) {
        short.clock.advance(50 * 60_000);
        expect((await me(jar, short)).statusCode).toBe(200);
      }
      const last = json<{ expiresAt: string }>(await session(jar, short));
      // Idle would allow 60 more minutes; the absolute expiry (2 h after sign-in) comes first.
      expect(Date.parse(last.expiresAt)).toBe(short.clock.now + 20 * 60_000);
      short.clock.advance(21 * 60_000);
      expect(json(await session(jar, short))).toEqual({ authenticated: false });
      expect((await me(jar, short)).statusCode).toBe(401);
    } finally {
      await short.close();
    }
  });
});
