// An `allow` entry of a declared API ("GET /users/{id}/photo/$value") and the test of a
// request path against it. The path is judged segment by segment after decoding, and the
// upstream URL is rebuilt from the decoded segments, so no spelling of `..`, `/` or `\`
// can reach a path the declaration did not name.

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
const methods = new Set<string>(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);

type Segment = { literal: string } | { param: string };

export interface RouteTemplate {
  method: Method;
  segments: Segment[];
  /** As declared, for messages. */
  text: string;
}

// RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ":" and "@".
const pchar = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;
const paramName = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The compiled entry, or a message saying what is wrong with it. */
export function compileAllowEntry(entry: string): RouteTemplate | string {
  const match = /^([A-Z]+) (\/\S*)$/.exec(entry);
  if (!match || !methods.has(match[1]!)) {
    return `"${entry.slice(0, 100)}" must be "<METHOD> /path" with METHOD one of ${[...methods].join(", ")}.`;
  }
  const [, method, path] = match as unknown as [string, Method, string];
  const segments: Segment[] = [];
  const parts = path === "/" ? [] : path.slice(1).split("/");
  for (const part of parts) {
    const param = paramName.exec(part);
    if (param) {
      segments.push({ param: param[1]! });
    } else if (part === "" || part === "." || part === ".." || !pchar.test(part)) {
      return `"${entry.slice(0, 100)}": each path segment must be a {name} or plain characters (no empty, "." or ".." segments, no percent-encoding).`;
    } else {
      segments.push({ literal: part });
    }
  }
  return { method, segments, text: entry };
}

export type JudgedPath = { segments: string[] } | { problem: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;
const percentEncoded = /%[0-9A-Fa-f]{2}/;

/**
 * Splits the raw (still percent-encoded) path after `/api/<name>` into decoded segments, or
 * names why it is refused: an empty segment (`//`), a dot segment (`.`, `..`, `%2e%2e`), a
 * slash or backslash inside a segment (`%2f`, `%5c`), control characters, malformed or
 * double encoding (`%252e`, which a second decoder downstream would turn into `.`).
 */
export function judgeRequestPath(raw: string): JudgedPath {
  if (raw === "" || raw === "/") return { segments: [] };
  if (!raw.startsWith("/")) return { problem: "the path must start with /" };
  const segments: string[] = [];
  for (const part of raw.slice(1).split("/")) {
    if (part === "") return { problem: "empty path segments (//) are not allowed" };
    if (part.includes("\\") || controlCharacters.test(part)) {
      return { problem: "backslashes and control characters are not allowed in a path" };
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return { problem: "the path is not valid percent-encoding" };
    }
    if (decoded === "." || decoded === "..") {
      return { problem: "dot segments (. and ..) are not allowed in a path" };
    }
    if (decoded.includes("/") || decoded.includes("\\") || controlCharacters.test(decoded)) {
      return { problem: "encoded slashes, backslashes and control characters are not allowed" };
    }
    if (percentEncoded.test(decoded)) {
      return { problem: "doubly percent-encoded path segments are not allowed" };
    }
    segments.push(decoded);
  }
  return { segments };
}

/** The first template allowing `method` on `segments`. HEAD is allowed where GET is. */
export function findRoute(
  routes: readonly RouteTemplate[],
  method: string,
  segments: readonly string[],
): RouteTemplate | undefined {
  return routes.find(
    (route) =>
      (route.method === method || (method === "HEAD" && route.method === "GET")) &&
      route.segments.length === segments.length &&
      route.segments.every((segment, i) =>
        "literal" in segment ? segment.literal === segments[i] : segments[i] !== "",
      ),
  );
}

/** Percent-encodes everything outside pchar, so the upstream reads the segment we judged. */
export function encodeSegment(segment: string): string {
  return segment.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/gu, (character) =>
    encodeURIComponent(character),
  );
}
