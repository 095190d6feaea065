// A browser without JavaScript for one origin, over real HTTP (fetch): keeps the cookies a
// response sets and signs in through the emulator's pages. For tests that start the servers
// as separate processes, the way they are deployed.
import { signInAs } from "@entra-bff/entra-emulator";

export class FetchCookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") {
        this.#cookies.delete(name);
      } else {
        this.#cookies.set(name, value);
      }
    }
  }

  /** A `cookie` request header, or none when the jar is empty. */
  header(): Record<string, string> {
    if (this.#cookies.size === 0) return {};
    return { cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
  }
}

export class HttpBrowser {
  readonly jar = new FetchCookieJar();
  #emulatorCookie: string | undefined;

  constructor(
    readonly origin: string,
    readonly user: string,
  ) {}

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(new URL(path, this.origin), {
      redirect: "manual",
      ...init,
      headers: { ...this.jar.header(), ...(init.headers as Record<string, string>) },
    });
  }

  /**
   * `/auth/login…` → the emulator's sign-in page (and consent prompt, accepted) →
   * `/auth/callback`; returns where the callback sends the browser.
   */
  async signIn(loginPath = "/auth/login"): Promise<string> {
    const login = await this.fetch(loginPath);
    if (login.status !== 302)
      throw new Error(`login answered ${login.status}: ${await login.text()}`);
    this.jar.store(login);
    const signedIn = await signInAs(login.headers.get("location")!, this.user, {
      ...(this.#emulatorCookie ? { cookie: this.#emulatorCookie } : {}),
    });
    this.#emulatorCookie = signedIn.cookie;
    if (!signedIn.location.startsWith(`${this.origin}/auth/callback?`)) {
      throw new Error(`the emulator sent the browser to ${signedIn.location}`);
    }
    const callback = await this.fetch(signedIn.location);
    if (callback.status !== 303) throw new Error(`the callback answered ${callback.status}`);
    this.jar.store(callback);
    return callback.headers.get("location")!;
  }
}
