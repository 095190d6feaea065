import { describe, expect, it } from "vitest";
import { groupTimeLimitMs, sliceOrder, startOffset } from "../load-spec.ts";

describe("sliceOrder", () => {
  it("takes the sides forwards, then backwards, so a steady drift cancels for every pair", () => {
    const order = [0, 1, 2, 3].flatMap((slice) => sliceOrder(3, slice));
    expect(order).toEqual([0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0]);
    // Over each pair of slices every side's mean position in time is the same.
    const meanPosition = (side: number) =>
      order.reduce((sum, s, i) => (s === side ? sum + i : sum), 0) / 4;
    expect(new Set([0, 1, 2].map(meanPosition)).size).toBe(1);
  });
});

describe("groupTimeLimitMs", () => {
  it("leaves room for every side's warm-up, slices and stragglers", () => {
    const sides = [{}, {}, {}] as never[];
    expect(groupTimeLimitMs({ sides, seconds: 5, slices: 5, warmupSeconds: 1 })).toBe(
      (3 * 6 + 10 * 5 * 3 + 10) * 1000,
    );
  });
});

describe("startOffset", () => {
  it("spreads the connections over the requests, so concurrent ones are different sessions", () => {
    expect([0, 1, 2, 3].map((c) => startOffset(c, 4, 20))).toEqual([0, 5, 10, 15]);
    // More connections than requests: they wrap around.
    expect([0, 1, 2, 3].map((c) => startOffset(c, 4, 2))).toEqual([0, 0, 1, 1]);
  });

  it("starts only at a multiple of the stride, so a create is never separated from its delete", () => {
    const offsets = Array.from({ length: 10 }, (_, c) => startOffset(c, 10, 40, 2));
    expect(offsets.every((offset) => offset % 2 === 0 && offset < 40)).toBe(true);
    expect(new Set(offsets).size).toBe(10);
    expect(startOffset(3, 10, 2, 2)).toBe(0);
  });
});
