import { describe, expect, it } from "vitest";
import { allowedQuery } from "../../src/downstream/query.ts";
import {
  compileAllowEntry,
  encodeSegment,
  findRoute,
  judgeRequestPath,
  type RouteTemplate,
} from "../../src/downstream/route-template.ts";

const routes = ["GET /users", "GET /users/{id}", "GET /users/{id}/photo/$value", "POST /users"].map(
  (entry) => compileAllowEntry(entry) as RouteTemplate,
);

describe("judgeRequestPath", () => {
  it.each([
    ["", []],
    ["/", []],
    ["/users", ["users"]],
    ["/users/a%20b", ["users", "a b"]],
    ["/users/AdeleV@contoso.example", ["users", "AdeleV@contoso.example"]],
    ["/users/%C3%A4", ["users", "ä"]],
  ])("%j → %j", (raw, segments) => {
    expect(judgeRequestPath(raw)).toEqual({ segments });
  });

  it.each([
    "users",
    "/users/",
    "//users",
    "/users/..",
    "/users/%2e%2E",
    "/users/.",
    "/a%2fb",
    "/a%5Cb",
    "/a\\b",
    "/%00",
    "/a%0Ab",
    "/%252e%252e",
    "/%zz",
    "/%c0%ae",
  ])("refuses %j", (raw) => {
    expect(judgeRequestPath(raw)).toHaveProperty("problem");
  });
});

describe("findRoute", () => {
  it("matches methods and one segment per {param}; HEAD where GET is allowed", () => {
    expect(findRoute(routes, "GET", ["users"])?.text).toBe("GET /users");
    expect(findRoute(routes, "HEAD", ["users", "x"])?.text).toBe("GET /users/{id}");
    expect(findRoute(routes, "GET", ["users", "x", "photo", "$value"])?.text).toBe(
      "GET /users/{id}/photo/$value",
    );
    expect(findRoute(routes, "DELETE", ["users", "x"])).toBeUndefined();
    expect(findRoute(routes, "GET", ["users", "x", "photo"])).toBeUndefined();
    expect(findRoute(routes, "GET", ["Users"])).toBeUndefined();
    expect(findRoute(routes, "HEAD", ["users"])?.text).toBe("GET /users");
    expect(findRoute(routes, "POST", ["users", "x"])).toBeUndefined();
  });
});

describe("encodeSegment", () => {
  it("keeps pchar, encodes the rest", () => {
    expect(encodeSegment("$value")).toBe("$value");
    expect(encodeSegment("a b/c?#%")).toBe("a%20b%2Fc%3F%23%25");
    expect(encodeSegment("AdeleV@contoso.example")).toBe("AdeleV@contoso.example");
  });
});

describe("allowedQuery", () => {
  const allowed = new Set(["$select", "$search", "$top"]);
  it("passes allowed parameters as spelled, judged by their decoded names", () => {
    expect(allowedQuery("$top=5&%24select=id,displayName", allowed)).toBe(
      "$top=5&%24select=id,displayName",
    );
    expect(allowedQuery('$search="displayName:ad"', allowed)).toBe("$search=%22displayName:ad%22");
    expect(allowedQuery("", allowed)).toBe("");
    expect(allowedQuery("&&$top=1&", allowed)).toBe("$top=1");
  });

  it("refuses any other parameter", () => {
    expect(allowedQuery("$top=1&$expand=manager", allowed)).toEqual({ refused: "$expand" });
    expect(allowedQuery("%zz=1", allowed)).toEqual({ refused: "%zz" });
    expect(allowedQuery("top=1", allowed)).toEqual({ refused: "top" });
  });
});
