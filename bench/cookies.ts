// Cookies as a browser keeps them for one origin: Set-Cookie lines in, a Cookie header out.
// Values are replayed byte for byte, as browsers do (no decoding).
import type { CookieReport } from "./types.ts";

/** RFC 6265 §6.1: browsers keep at least 4096 bytes per cookie. */
export const cookieBudgetBytes = 4096;
/** Common proxy and server limits on one request header (nginx's default buffer is 8 KB). */
export const cookieHeaderBudgetBytes = 8192;

export interface StoredCookie {
  name: string;
  value: string;
  /** The Set-Cookie line that set it. */
  line: string;
}

export function parseSetCookie(line: string): StoredCookie & { deletes: boolean } {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const deletes =
    value === "" ||
    attributes.some((attribute) => {
      const [key = "", setting = ""] = attribute.trim().toLowerCase().split("=");
      return (
        (key === "max-age" && Number(setting) <= 0) || (key === "expires" && /1970/.test(setting))
      );
    });
  return { name, value, line, deletes };
}

/** Applies Set-Cookie lines to a jar (name → cookie); a deletion removes the cookie. */
export function applySetCookies(jar: Map<string, StoredCookie>, lines: string[]): void {
  for (const line of lines) {
    const { deletes, ...cookie } = parseSetCookie(line);
    if (deletes) jar.delete(cookie.name);
    else jar.set(cookie.name, cookie);
  }
}

export function cookieHeader(cookies: Iterable<StoredCookie>): string {
  return [...cookies].map(({ name, value }) => `${name}=${value}`).join("; ");
}

export function measureCookies(cookies: StoredCookie[]): CookieReport {
  return {
    cookies: cookies.map(({ name, value, line }) => ({
      name,
      pairBytes: Buffer.byteLength(`${name}=${value}`),
      setCookieBytes: Buffer.byteLength(line),
    })),
    headerBytes: Buffer.byteLength(cookieHeader(cookies)),
  };
}

/** The cookies whose `name=value` is over the budget (browsers drop such a cookie silently). */
export function oversizedCookies(report: CookieReport): string[] {
  return report.cookies.filter((c) => c.pairBytes > cookieBudgetBytes).map((c) => c.name);
}
