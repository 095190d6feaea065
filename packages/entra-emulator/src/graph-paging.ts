/**
 * Server-driven paging of Graph's users: an opaque `$skiptoken` in `@odata.nextLink`, bound
 * to the query it continues, in the `X'…'` hex form the directory uses.
 */
import { createHash } from "node:crypto";
import { graphErrors } from "./graph-errors.ts";

/** "DSpt", as the directory's tokens begin, then a format version. */
const magic = Buffer.from([0x44, 0x53, 0x70, 0x74, 0x02]);
const fingerprintBytes = 8;

/** Identifies a query: the same options (other than `$skiptoken`) give the same value. */
export function queryFingerprint(options: ReadonlyMap<string, string>): Buffer {
  const entries = [...options].filter(([name]) => name !== "$skiptoken").sort();
  return createHash("sha256")
    .update(JSON.stringify(entries))
    .digest()
    .subarray(0, fingerprintBytes);
}

export function encodeSkipToken(offset: number, fingerprint: Buffer): string {
  const position = Buffer.alloc(4);
  position.writeUInt32BE(offset);
  return `X'${Buffer.concat([magic, position, fingerprint]).toString("hex").toUpperCase()}'`;
}

/**
 * The offset a token continues from. A token that is malformed or belongs to another query
 * (the client changed `$filter` but kept the link's token) is refused, as Graph refuses a
 * token it can no longer use: 400 `Directory_ExpiredPageToken`.
 */
export function decodeSkipToken(token: string, fingerprint: Buffer): number {
  const hex = /^X'([0-9A-Fa-f]+)'$/.exec(token)?.[1];
  const bytes = hex ? Buffer.from(hex, "hex") : Buffer.alloc(0);
  const expectedLength = magic.length + 4 + fingerprintBytes;
  if (
    bytes.length !== expectedLength ||
    !bytes.subarray(0, magic.length).equals(magic) ||
    !bytes.subarray(magic.length + 4).equals(fingerprint)
  ) {
    throw graphErrors.expiredPageToken();
  }
  return bytes.readUInt32BE(magic.length);
}

/**
 * `@odata.nextLink`: an absolute URL repeating the request's query options in their order,
 * then the token. Option names keep their `$`, as Graph's links do.
 */
export function nextLink(
  baseUrl: string,
  path: string,
  options: ReadonlyMap<string, string>,
  skipToken: string,
): string {
  const query = [...options]
    .filter(([name]) => name !== "$skiptoken")
    .concat([["$skiptoken", skipToken]])
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join("&");
  return `${baseUrl}${path}?${query}`;
}
