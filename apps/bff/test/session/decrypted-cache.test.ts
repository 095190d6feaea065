import { describe, expect, it } from "vitest";
import { DecryptedCache } from "../../src/session/decrypted-cache.ts";

const nonce = (i: number) => `n${String(i).padStart(31, "0")}`;

describe("the decrypted-value cache", () => {
  it("answers a value only for the exact bytes it was stored with", () => {
    const cache = new DecryptedCache<string>(10);
    const sealed = `${"c".repeat(600)}.${nonce(1)}`;
    cache.set(sealed, "alice");
    expect(cache.get(sealed)).toBe("alice");
    // The same bytes built anew (as every request's cookie header is) still match.
    expect(cache.get(`${"c".repeat(600)}.${nonce(1)}`)).toBe("alice");
    // A value sharing the end (a forged prefix before a real nonce) gets nothing.
    expect(cache.get(`${"x".repeat(600)}.${nonce(1)}`)).toBeUndefined();
    expect(cache.get(`${"c".repeat(599)}.${nonce(1)}`)).toBeUndefined();
    expect(cache.get(`${"c".repeat(600)}.${nonce(2)}`)).toBeUndefined();
    // Short values work too.
    cache.set("short", "bob");
    expect(cache.get("short")).toBe("bob");
    expect(cache.get("shor")).toBeUndefined();
  });

  it("keeps at most its bound, the oldest going first", () => {
    const cache = new DecryptedCache<number>(3);
    const values = [1, 2, 3, 4].map((i) => `${"c".repeat(100)}.${nonce(i)}`);
    for (const [i, value] of values.entries()) cache.set(value, i);
    expect(values.map((value) => cache.get(value))).toEqual([undefined, 1, 2, 3]);
    // Replacing an entry evicts nothing.
    cache.set(values[3]!, 33);
    expect(values.map((value) => cache.get(value))).toEqual([undefined, 1, 2, 33]);
  });
});
