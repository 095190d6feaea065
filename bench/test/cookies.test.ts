import { describe, expect, it } from "vitest";
import {
  applySetCookies,
  cookieHeader,
  measureCookies,
  oversizedCookies,
  type StoredCookie,
} from "../cookies.ts";
import { nearestRank } from "../latency.ts";
import { initialAssets } from "../spa-size.ts";

describe("cookie jar", () => {
  it("keeps set cookies byte for byte and drops deleted ones", () => {
    const jar = new Map<string, StoredCookie>();
    applySetCookies(jar, [
      "bff-tx-abc=Zm9v%3D; Max-Age=600; Path=/; HttpOnly; SameSite=Lax",
      "bff-session=c2Vzc2lvbg%3D%3D; Path=/; HttpOnly; SameSite=Strict",
    ]);
    applySetCookies(jar, [
      "bff-tx-abc=; Max-Age=0; Path=/",
      "bff-token-1=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
    ]);
    expect(cookieHeader(jar.values())).toBe("bff-session=c2Vzc2lvbg%3D%3D");
  });
});

describe("cookie budget", () => {
  const cookie = (name: string, valueBytes: number): StoredCookie => {
    const value = "x".repeat(valueBytes);
    return { name, value, line: `${name}=${value}; Path=/; HttpOnly; SameSite=Strict` };
  };

  it("measures name=value, the Set-Cookie line and the whole Cookie header", () => {
    const report = measureCookies([cookie("a", 10), cookie("bb", 20)]);
    expect(report.cookies).toEqual([
      { name: "a", pairBytes: 12, setCookieBytes: 47 },
      { name: "bb", pairBytes: 23, setCookieBytes: 58 },
    ]);
    expect(report.headerBytes).toBe(12 + 2 + 23);
  });

  it("names the cookies over 4096 bytes of name=value, not those at it", () => {
    const report = measureCookies([cookie("at", 4093), cookie("over", 4092)]);
    expect(oversizedCookies(report)).toEqual(["over"]);
  });
});

describe("nearestRank", () => {
  it("picks the nearest-rank percentile of sorted samples", () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect([nearestRank(sorted, 50), nearestRank(sorted, 99), nearestRank(sorted, 100)]).toEqual([
      50, 99, 100,
    ]);
    expect(nearestRank([], 50)).toBe(0);
  });
});

describe("initialAssets", () => {
  it("finds the module scripts, preloads and stylesheets index.html loads", () => {
    const html = `<link rel="icon" href="/favicon.svg" />
      <script type="module" crossorigin src="/assets/index-a.js"></script>
      <link rel="modulepreload" crossorigin href="/assets/vendor-b.js">
      <link rel="stylesheet" crossorigin href="/assets/index-c.css">
      <script src="https://cdn.example/x.js"></script>`;
    expect(initialAssets(html)).toEqual({
      js: ["/assets/index-a.js", "/assets/vendor-b.js"],
      css: ["/assets/index-c.css"],
    });
  });
});
