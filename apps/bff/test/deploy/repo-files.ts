import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root, as the Docker build context sees it. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export function readRepoFile(path: string): string {
  return readFileSync(`${repoRoot}${path}`, "utf8");
}

/** Every `.ts` file under a repository folder, concatenated: for "does the program read X" checks. */
export function sourceText(dir: string): string {
  return readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

export function repoFileExists(path: string): boolean {
  return existsSync(`${repoRoot}${path}`);
}

export interface DockerStage {
  name: string;
  instructions: { keyword: string; args: string }[];
}

/** Splits a Dockerfile into stages of instructions, joining `\` continuations and dropping comments. */
export function parseDockerfile(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (keyword.toUpperCase() === "FROM") {
      const as = /\sAS\s+(\S+)$/i.exec(line);
      stages.push({ name: as?.[1] ?? `stage${stages.length}`, instructions: [] });
    }
    stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

/** `ENV A=1 B=2` instructions of a stage, as a record. */
export function stageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    for (const pair of args.split(/\s+/)) {
      const [key, ...value] = pair.split("=");
      if (key) env[key] = value.join("=");
    }
  }
  return env;
}

/** The exec-form CMD of a stage, e.g. `["node", "dist/server.js"]`. */
export function stageCmd(stage: DockerStage): string[] {
  const cmd = stage.instructions.findLast((i) => i.keyword === "CMD");
  if (!cmd) throw new Error(`stage ${stage.name} has no CMD`);
  return JSON.parse(cmd.args) as string[];
}

/**
 * docker-compose.yml as compose would load it with no variables set: `${VAR:-default}` takes
 * its default, and a required `${VAR:?…}` takes `required-value` (compose would stop there).
 */
export function loadCompose(): ComposeFile {
  const interpolated = composeSource().replace(
    /\$\{([A-Z0-9_]+)(?::-([^}]*)|:\?[^}]*)?\}/g,
    (_match, _name: string, fallback: string | undefined) => fallback ?? "required-value",
  );
  return parse(interpolated, { merge: true }) as ComposeFile;
}

/** docker-compose.yml without its comment lines: comments are not interpolated. */
export function composeSource(): string {
  return readRepoFile("docker-compose.yml")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n");
}

export interface ComposeService {
  build?: { context: string; target?: string; dockerfile?: string };
  image?: string;
  profiles?: string[];
  env_file?: ({ path: string; required?: boolean } | string)[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: unknown;
  stop_grace_period?: string;
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The workspace's packages (`apps/*`, `packages/*` with a package.json), e.g. "apps/bff". */
export function workspacePackages(): string[] {
  return ["apps", "packages"].flatMap((group) =>
    readdirSync(join(repoRoot, group), { withFileTypes: true })
      .filter(
        (entry) => entry.isDirectory() && repoFileExists(`${group}/${entry.name}/package.json`),
      )
      .map((entry) => `${group}/${entry.name}`),
  );
}

/** The `FROM` image of a stage, with `${ARG}` replaced by the ARG's default. */
export function stageImage(stage: DockerStage, dockerfileText: string): string {
  const from = stage.instructions.find((i) => i.keyword === "FROM")!.args.split(/\s+/)[0]!;
  return from.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    const arg = new RegExp(`^ARG\\s+${name}=(\\S+)`, "m").exec(dockerfileText);
    if (!arg) throw new Error(`ARG ${name} has no default`);
    return arg[1]!;
  });
}

/** A compose duration such as "30s" or "1m30s", in seconds. */
export function durationSeconds(value: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(value);
  if (!match || value === "") throw new Error(`not a compose duration: "${value}"`);
  const [, h = "0", m = "0", sec = "0"] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(sec);
}

/** Names of the variables a text interpolates with `${NAME…}`. */
export function interpolatedVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string))];
}

/** Setting names `.env.example` documents (`NAME=` lines). */
export function documentedSettings(): Set<string> {
  return new Set(
    [...readRepoFile(".env.example").matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1] as string),
  );
}
