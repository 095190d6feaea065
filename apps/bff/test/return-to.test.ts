import { describe, expect, it } from "vitest";
import { safeReturnTo } from "../src/return-to.ts";

const origin = "https://app.contoso.com";

describe("safeReturnTo", () => {
  it.each([
    ["/", "/"],
    ["/profile", "/profile"],
    ["/profile?tab=phones#top", "/profile?tab=phones#top"],
    ["/a/b/../c", "/a/c"],
    ["/search?q=a%2Fb", "/search?q=a%2Fb"],
    ["/caf%C3%A9", "/caf%C3%A9"],
    ["/a//b", "/a//b"],
  ])("keeps the local path %j", (value, expected) => {
    expect(safeReturnTo(value, origin)).toBe(expected);
  });

  const hostile = [
    undefined,
    null,
    42,
    ["/profile"],
    { href: "/profile" },
    "",
    "profile",
    "./profile",
    "../profile",
    "https://evil.example",
    "https://evil.example/profile",
    "http://app.contoso.com/profile",
    "https://app.contoso.com/profile",
    "https://app.contoso.com.evil.example/",
    "//evil.example",
    "//evil.example/profile",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/profile\\..\\..\\evil",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "mailto:someone@evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\u0000/evil.example",
    "/profile\u0000",
    "/\u007f/evil.example",
    "/\u0085/evil.example",
    " //evil.example",
    "\t/profile",
    "/%2F%2Fevil.example",
    "/%2f%2fevil.example",
    "/%2Fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%00",
    "/%E0%A4%A",
    "/%",
    "/.//evil.example",
    "/./\\evil.example",
    "/a/../../\\evil.example",
    "/%2e%2e/%2F%2Fevil.example",
    "/%5C%5Cevil.example",
    "@evil.example",
    "/@evil.example/..//evil.example",
  ];

  it("falls back to / for a path over 2048 characters", () => {
    expect(safeReturnTo(`/${"a".repeat(3000)}`, origin)).toBe("/");
  });

  it("falls back to / when normalising makes it longer than 1024 (non-ASCII is percent-encoded)", () => {
    expect(safeReturnTo(`/${"é".repeat(170)}`, origin)).toBe(`/${"%C3%A9".repeat(170)}`);
    expect(safeReturnTo(`/${"é".repeat(171)}`, origin)).toBe("/");
    expect(safeReturnTo(`/?q=${"é".repeat(700)}`, origin)).toBe("/");
  });

  it.each(hostile.map((value) => [value]))("falls back to / for %j", (value) => {
    expect(safeReturnTo(value, origin)).toBe("/");
  });

  it("never yields anything a browser resolves to another origin", () => {
    for (const value of hostile) {
      const result = safeReturnTo(value, origin);
      expect(new URL(result, origin).origin).toBe(origin);
      expect(result).toMatch(/^\/(?![/\\])/);
    }
  });
});
