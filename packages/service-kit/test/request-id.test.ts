import { describe, expect, it } from "vitest";
import { genReqId } from "../src/request-id.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("request ids", () => {
  it("keeps an incoming x-request-id that is a plain token", () => {
    expect(genReqId({ headers: { "x-request-id": "edge-1.2:3_a-b" } })).toBe("edge-1.2:3_a-b");
  });

  it("a fresh UUID when none came, or one that could forge a log line or is too long", () => {
    for (const incoming of [
      undefined,
      "",
      'a" "b',
      "line\nbreak",
      "x".repeat(129),
      ["a", "b"] as unknown as string,
    ]) {
      expect(genReqId({ headers: { "x-request-id": incoming } })).toMatch(uuid);
    }
  });
});
