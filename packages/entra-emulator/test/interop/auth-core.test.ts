// Auth.js (@auth/core) with its Microsoft Entra ID provider unchanged but for client id,
// secret and issuer. Its profile() fetches the photo from https://graph.microsoft.com
// itself (hard-coded, not from discovery): here that host resolves to the emulator, as a
// hosts-file entry would make it (the test environment has no other network).
import { Auth, type AuthConfig } from "@auth/core";
import MicrosoftEntraID from "@auth/core/providers/microsoft-entra-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, signInAs } from "../../src/index.ts";
import { interopEmulator, webApp } from "./registrations.ts";

let emulator: Emulator;
const realFetch = globalThis.fetch;
beforeAll(async () => {
  emulator = await interopEmulator();
  // Stands in for name resolution only: graph.microsoft.com → the emulator's Graph.
  globalThis.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const routed = url.replace(/^https:\/\/graph\.microsoft\.com\//, `${emulator.url}/`);
    if (routed === url) return realFetch(input, init);
    return realFetch(routed, input instanceof Request ? { ...init, headers: input.headers } : init);
  };
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await emulator?.close();
});

const origin = "http://localhost:3000";

function config(): AuthConfig {
  return {
    providers: [
      MicrosoftEntraID({
        clientId: webApp.clientId,
        clientSecret: webApp.clientSecret!,
        issuer: `${emulator.authority}/v2.0`,
      }),
    ],
    secret: "dev-only-auth-js-secret-of-at-least-32-characters",
    trustHost: true,
    basePath: "/auth",
  };
}

/** Cookies between Auth.js responses, as the browser would keep them. */
class Jar {
  #cookies = new Map<string, string>();
  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";")[0]!;
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (value === "" || /max-age=0/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
  header() {
    return [...this.#cookies].map(([n, v]) => `${n}=${v}`).join("; ");
  }
}

async function call(jar: Jar, path: string, init: RequestInit = {}) {
  const response = await Auth(
    new Request(new URL(path, origin), {
      ...init,
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    }),
    config(),
  );
  jar.store(response);
  return response;
}

async function csrfToken(jar: Jar): Promise<string> {
  return ((await (await call(jar, "/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
}

describe("@auth/core's Microsoft Entra ID provider", () => {
  it("signs in (code + PKCE), keeps the profile with the Graph photo, signs out", async () => {
    const jar = new Jar();
    const form = { csrfToken: await csrfToken(jar), callbackUrl: `${origin}/dashboard` };
    const signIn = await call(jar, "/auth/signin/microsoft-entra-id", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    expect(signIn.status).toBe(302);
    const authorize = new URL(signIn.headers.get("location")!);
    expect(authorize.searchParams.get("scope")).toBe("openid profile email User.Read");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");

    const { location } = await signInAs(authorize.href, "AdeleV@contoso.example");
    const callback = await call(jar, location);
    expect(callback.status, await callback.clone().text()).toBe(302);
    expect(callback.headers.get("location")).toBe(`${origin}/dashboard`);

    const session = (await (await call(jar, "/auth/session")).json()) as {
      user: { name: string; email: string; image: string | null };
    };
    // Auth.js lower-cases the email address.
    expect(session.user).toMatchObject({ name: "Adele Vance", email: "adelev@contoso.example" });
    expect(session.user.image).toMatch(/^data:image\/jpeg;base64, /);

    const signOut = await call(jar, "/auth/signout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken: await csrfToken(jar) }).toString(),
    });
    expect(signOut.status).toBe(302);
    expect(await (await call(jar, "/auth/session")).json()).toBeNull();
  });
});
