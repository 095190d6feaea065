// Replays Set-Cookie between injected requests, as a browser does for one origin.
import type { LightMyRequestResponse } from "fastify";

export interface SetCookie {
  name: string;
  value: string;
  /** The whole Set-Cookie line, for size checks. */
  line: string;
  attributes: Map<string, string | true>;
}

export function setCookies(response: LightMyRequestResponse): SetCookie[] {
  const header = response.headers["set-cookie"];
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return lines.map((line) => {
    const [pair = "", ...attributeParts] = line.split(";");
    const eq = pair.indexOf("=");
    const attributes = new Map<string, string | true>();
    for (const part of attributeParts) {
      const [key = "", ...rest] = part.trim().split("=");
      attributes.set(key.toLowerCase(), rest.length ? rest.join("=") : true);
    }
    return {
      name: pair.slice(0, eq).trim(),
      value: decodeURIComponent(pair.slice(eq + 1).trim()),
      line,
      attributes,
    };
  });
}

function isDeletion(cookie: SetCookie): boolean {
  return (
    cookie.value === "" ||
    cookie.attributes.get("max-age") === "0" ||
    /1970/.test(String(cookie.attributes.get("expires") ?? ""))
  );
}

export class CookieJar {
  readonly cookies = new Map<string, string>();

  constructor(entries?: Iterable<[string, string]>) {
    if (entries) for (const [name, value] of entries) this.cookies.set(name, value);
  }

  /** Applies a response's Set-Cookie headers and returns them. */
  store(response: LightMyRequestResponse): SetCookie[] {
    const cookies = setCookies(response);
    for (const cookie of cookies) {
      if (isDeletion(cookie)) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return cookies;
  }

  /** The `Cookie` request header, or nothing when the jar is empty. */
  headers(): { cookie?: string } {
    if (this.cookies.size === 0) return {};
    return {
      cookie: [...this.cookies]
        .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
        .join("; "),
    };
  }

  names(): string[] {
    return [...this.cookies.keys()].sort();
  }

  clone(): CookieJar {
    return new CookieJar(this.cookies);
  }
}
