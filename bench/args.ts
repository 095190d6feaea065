// `pnpm bench [options]`: the command line, validated.
import { parseArgs } from "node:util";

export const usage = `pnpm bench [options]

  --duration <s>      measured seconds of each server in each phase, in slices of
                      about 1 s that alternate with the phase's other servers (default 5)
  --warmup <s>        seconds of discarded load of each server before each phase (default 1)
  --connections <n>   concurrent connections of the load phases (default 10)
  --users <n>         test users signed in and rotated through (default 20)
  --build             run \`pnpm build\` first (done anyway when a build is missing)
  --compare [old]     after the run, print ratios side by side with old (default: the
                      previous bench/results/latest.json)
  --compare old new   compare two result files, without running
  --help`;

export interface BenchArgs {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  users: number;
  build: boolean;
  /** Absent without --compare. */
  compare?: { old?: string; new?: string };
  help: boolean;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      duration: { type: "string", default: "5" },
      warmup: { type: "string", default: "1" },
      connections: { type: "string", default: "10" },
      users: { type: "string", default: "20" },
      build: { type: "boolean", default: false },
      compare: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (positionals.length > 0 && !values.compare) {
    throw new TypeError(`unexpected argument "${positionals[0]}"\n\n${usage}`);
  }
  if (positionals.length > 2) throw new TypeError(`--compare takes at most two files\n\n${usage}`);
  const [old, current] = positionals;
  return {
    seconds: number("--duration", values.duration, 0.5, 120),
    warmupSeconds: number("--warmup", values.warmup, 0, 30),
    connections: Math.round(number("--connections", values.connections, 1, 1000)),
    users: Math.round(number("--users", values.users, 1, 1000)),
    build: values.build,
    ...(values.compare
      ? { compare: { ...(old ? { old } : {}), ...(current ? { new: current } : {}) } }
      : {}),
    help: values.help,
  };
}

function number(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new TypeError(`${flag} must be a number from ${min} to ${max} (got "${value}")`);
  }
  return parsed;
}
