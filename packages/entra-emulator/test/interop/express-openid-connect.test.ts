// express-openid-connect (express 5) with its defaults — response_type id_token, posted back
// (form_post), scope openid profile email — configured as its README says: issuerBaseURL,
// baseURL, clientID, secret. Entra needs "ID tokens" enabled for that; express-openid-connect
// (openid-client 6 inside) needs https pages.
import type { Server } from "node:http";
import express from "express";
import { auth, requiresAuth } from "express-openid-connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, signInAs, signOut } from "../../src/index.ts";
import { freePort } from "../helpers.ts";
import { implicitApp, interopEmulator, webApp } from "./registrations.ts";

let emulator: Emulator;
const servers: Server[] = [];
beforeAll(async () => {
  emulator = await interopEmulator({ httpsPages: true });
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await emulator?.close();
});

/** An express app protected by express-openid-connect, on a port of its own. */
async function startApp(config: Parameters<typeof auth>[0]): Promise<string> {
  const port = await freePort();
  const baseURL = `http://localhost:${port}`;
  const app = express();
  app.use(auth({ baseURL, secret: "dev-only-express-openid-connect-secret", ...config }));
  app.get("/profile", requiresAuth(), (req, res) => {
    res.json({ user: req.oidc.user, hasRefreshToken: Boolean(req.oidc.refreshToken) });
  });
  app.get("/refresh", requiresAuth(), async (req, res) => {
    const before = req.oidc.accessToken!.access_token;
    const renewed = await req.oidc.accessToken!.refresh();
    res.json({ changed: renewed.access_token !== before });
  });
  await new Promise<void>((resolve) =>
    servers.push(app.listen(port, "127.0.0.1", () => resolve())),
  );
  return baseURL;
}

/** Cookies as a browser keeps them for one origin. */
class Jar {
  #cookies = new Map<string, string>();
  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, value] = [
        pair!.slice(0, pair!.indexOf("=")),
        pair!.slice(pair!.indexOf("=") + 1),
      ];
      const expired = attributes.some(
        (a) => /^\s*max-age=0/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === "") this.#cookies.delete(name.trim());
      else this.#cookies.set(name.trim(), value);
    }
  }
  header() {
    return [...this.#cookies].map(([n, v]) => `${n}=${v}`).join("; ");
  }
}

async function visit(jar: Jar, url: string, init: RequestInit = {}) {
  const response = await fetch(url, {
    ...init,
    redirect: "manual",
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
  });
  jar.store(response);
  return response;
}

/** /login → Entra's pages → the callback, as a browser: returns where the app sends the user. */
async function signIn(jar: Jar, baseURL: string, user: string) {
  const login = await visit(jar, `${baseURL}/login`);
  expect(login.status).toBe(302);
  const answer = await signInAs(login.headers.get("location")!, user);
  const callback = answer.form
    ? await visit(jar, answer.location, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(answer.form).toString(),
      })
    : await visit(jar, answer.location);
  expect(callback.status, await callback.clone().text()).toBe(302);
  return { callback, emulatorCookie: answer.cookie };
}

describe("express-openid-connect", () => {
  it("with its defaults: an ID token posted back (form_post), a session, local logout", async () => {
    const baseURL = await startApp({
      issuerBaseURL: `${emulator.authority}/v2.0`,
      clientID: implicitApp.clientId,
    });
    const jar = new Jar();
    const login = await visit(jar, `${baseURL}/login`);
    const authorize = new URL(login.headers.get("location")!);
    expect(authorize.searchParams.get("response_type")).toBe("id_token");
    expect(authorize.searchParams.get("response_mode")).toBe("form_post");

    const answer = await signInAs(authorize.href, "AlexW@contoso.example");
    expect(answer.location).toBe(`${baseURL}/callback`);
    expect(Object.keys(answer.form!).sort()).toEqual(["id_token", "session_state", "state"]);
    const callback = await visit(jar, answer.location, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(answer.form).toString(),
    });
    expect(callback.status, await callback.clone().text()).toBe(302);

    const profile = await visit(jar, `${baseURL}/profile`);
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { user: Record<string, unknown> }).user).toMatchObject({
      name: "Alex Wilber",
      preferred_username: "AlexW@contoso.example",
      email: "AlexW@contoso.example",
    });

    const logout = await visit(jar, `${baseURL}/logout`);
    expect(logout.headers.get("location")).toBe(baseURL);
    expect((await visit(jar, `${baseURL}/profile`)).status).toBe(302);
  });

  it("the code flow (its README's settings for tokens): refresh, and logout at Entra (idpLogout)", async () => {
    const baseURL = await startApp({
      issuerBaseURL: `${emulator.authority}/v2.0`,
      clientID: webApp.clientId,
      clientSecret: webApp.clientSecret!,
      authorizationParams: {
        response_type: "code",
        scope: "openid profile email offline_access User.Read",
      },
      idpLogout: true,
    });
    const jar = new Jar();
    const { emulatorCookie } = await signIn(jar, baseURL, "AdeleV@contoso.example");
    const profile = (await (await visit(jar, `${baseURL}/profile`)).json()) as {
      hasRefreshToken: boolean;
    };
    expect(profile.hasRefreshToken).toBe(true);
    expect(await (await visit(jar, `${baseURL}/refresh`)).json()).toEqual({ changed: true });

    const logout = await visit(jar, `${baseURL}/logout`);
    const endSession = new URL(logout.headers.get("location")!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(
      `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/logout`,
    );
    const signedOut = await signOut(endSession.href, { cookie: emulatorCookie! });
    expect(signedOut.redirect).toBe(`${baseURL}/`);
  });
});
