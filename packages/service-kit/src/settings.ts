// Settings come from the environment as strings; every service validates all of them and
// reports every problem at once, so an operator fixes a configuration in one pass.

export type Env = Record<string, string | undefined>;

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
const logLevels: readonly LogLevel[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];

/** Thrown by a service's `loadConfig`; `problems` lists every missing or malformed setting. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** A setting's value trimmed, with an empty one (`NAME=` in .env) treated as unset. */
export function settingReader(env: Env): (name: string) => string | undefined {
  return (name) => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
}

/** A whole number from `min` to `max`; `fallback` when unset, or (with a problem) when not. */
export function parseInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}").`);
    return fallback;
  }
  return parsed;
}

/** LOG_LEVEL, case-insensitive; `info` when unset. */
export function parseLogLevel(value: string | undefined, problems: string[]): LogLevel {
  const level = (value ?? "info").toLowerCase();
  if (logLevels.includes(level as LogLevel)) return level as LogLevel;
  problems.push(`LOG_LEVEL must be one of ${logLevels.join(", ")} (got "${level}").`);
  return "info";
}
