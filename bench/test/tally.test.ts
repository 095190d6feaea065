import { describe, expect, it } from "vitest";
import { Tally } from "../tally.ts";

describe("Tally", () => {
  it("sums slices into per-second, percentiles and CPU per successful request", () => {
    const tally = new Tally();
    for (const ms of [1, 2, 3, 4]) tally.samples.add(ms);
    tally.add({ seconds: 1, statusCodes: { "200": 2 }, failed: 0, errors: 0, cpuMs: 0.2 });
    tally.add({
      seconds: 1,
      statusCodes: { "200": 2, "503": 1 },
      failed: 1,
      errors: 1,
      cpuMs: 0.2,
    });
    expect(tally.figures()).toEqual({
      seconds: 2,
      ok: 4,
      failed: 1,
      errors: 1,
      statusCodes: { "200": 4, "503": 1 },
      perSecond: 2,
      p50Ms: 2,
      p99Ms: 4,
      serverCpuUs: 100,
    });
  });
});
