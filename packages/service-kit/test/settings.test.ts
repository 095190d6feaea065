import { describe, expect, it } from "vitest";
import { ConfigError, parseInteger, parseLogLevel, settingReader } from "../src/settings.ts";

describe("settings", () => {
  it("a value is trimmed, and an empty one (NAME= in .env) is unset", () => {
    const read = settingReader({ A: "  x  ", B: "", C: "   " });
    expect([read("A"), read("B"), read("C"), read("D")]).toEqual([
      "x",
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("integers: the fallback when unset; a problem, and the fallback, when not a whole number in range", () => {
    const problems: string[] = [];
    expect(parseInteger("PORT", undefined, 3000, 0, 65535, problems)).toBe(3000);
    expect(parseInteger("PORT", "8080", 3000, 0, 65535, problems)).toBe(8080);
    expect(problems).toEqual([]);
    for (const bad of ["-1", "1.5", "0x10", "65536", "1e3", "http"]) {
      expect(parseInteger("PORT", bad, 3000, 0, 65535, problems)).toBe(3000);
    }
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe('PORT must be an integer from 0 to 65535 (got "-1").');
  });

  it("LOG_LEVEL: info by default, any case, and a problem naming the levels otherwise", () => {
    const problems: string[] = [];
    expect(parseLogLevel(undefined, problems)).toBe("info");
    expect(parseLogLevel("WARN", problems)).toBe("warn");
    expect(problems).toEqual([]);
    expect(parseLogLevel("verbose", problems)).toBe("info");
    expect(problems).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose").',
    ]);
  });

  it("ConfigError lists every problem", () => {
    const error = new ConfigError(["A is required.", "B is wrong."]);
    expect(error.problems).toEqual(["A is required.", "B is wrong."]);
    expect(error.message).toBe("Invalid configuration:\n  - A is required.\n  - B is wrong.");
  });
});
