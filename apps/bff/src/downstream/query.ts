// The query string forwarded to a declared API: only the parameters its declaration names,
// each judged by its decoded name (so `%24top` is `$top`), sent on as the browser spelled
// it apart from characters a URL may not carry raw.

/** The forwarded query (without `?`), or the first parameter that is not allowed. */
export function allowedQuery(
  raw: string,
  allowed: ReadonlySet<string>,
): string | { refused: string } {
  const kept: string[] = [];
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    let name: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, " "));
    } catch {
      return { refused: rawName };
    }
    if (!allowed.has(name)) return { refused: name };
    kept.push(canonical(pair));
  }
  return kept.join("&");
}

/** RFC 3986 query characters stay; anything else (space, quotes, brackets) is percent-encoded. */
function canonical(pair: string): string {
  return pair.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (character) =>
    encodeURIComponent(character),
  );
}
