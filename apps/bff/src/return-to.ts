// Where the browser goes after sign-in: only a path on our own origin, never an open redirect.

const maxLength = 2048;
/**
 * After normalisation (which percent-encodes non-ASCII, up to 9 bytes a character): the
 * path travels in the sign-in transaction cookie, and several of those beside the session
 * cookies must stay far below browsers' 4 KB per cookie and Node's 16 KB of headers.
 */
const maxNormalisedLength = 1024;
// C0 controls, DEL and C1 controls: browsers strip some of them (tab, newline) before
// parsing, which turns "/\t/evil.example" into "//evil.example".
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Returns `value` normalised (dot segments resolved) when it is a relative path on
 * `publicOrigin`, otherwise `/`. The result always starts with a single `/`.
 * Does not check that the path exists.
 */
export function safeReturnTo(value: unknown, publicOrigin: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) return "/";
  if (!isSafePath(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, publicOrigin);
  } catch {
    return "/";
  }
  if (url.origin !== publicOrigin) return "/";
  // Normalising resolves dot segments, which can uncover a leading "//" ("/.//evil.example")
  // or an encoded one ("/%2e%2e/%2F%2Fevil.example"): judge the result again.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.length <= maxNormalisedLength && isSafePath(path) ? path : "/";
}

/**
 * A path whose every percent-decoding is local too: "/%2F%2Fevil.example" is harmless to
 * the URL parser but may be decoded again by a router downstream.
 */
function isSafePath(value: string): boolean {
  let decoded = value;
  for (let round = 0; round < 4; round++) {
    if (!isLocalPath(decoded)) return false;
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return false;
    }
    if (next === decoded) return true;
    decoded = next;
  }
  return false;
}

function isLocalPath(value: string): boolean {
  return (
    value.startsWith("/") &&
    // "//host" and "/\host" are protocol-relative URLs to another host.
    value[1] !== "/" &&
    !value.includes("\\") &&
    !controlCharacters.test(value)
  );
}
