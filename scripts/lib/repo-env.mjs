// Settings for the repository's own commands (`pnpm dev`, `pnpm preview`, `pnpm start`): the
// root `.env`, and the one setting that must be right before a Node process even starts.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A setting a user must fix; the commands print its message alone, without a stack. */
export class SettingsError extends Error {}

/**
 * Adds every setting of `<repo>/.env` that `env` does not have yet: the real environment
 * wins. Returns the names it added, or `undefined` when there is no `.env`.
 */
export function applyDotEnv(env = process.env, file = join(repoRoot, ".env")) {
  if (!existsSync(file)) return undefined;
  if (typeof parseEnv !== "function") {
    throw new SettingsError("Reading .env needs Node 20.12 or newer (util.parseEnv).");
  }
  const added = [];
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, "utf8")))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    added.push(name);
  }
  return added;
}

/**
 * NODE_EXTRA_CA_CERTS as an absolute path to a PEM file, or `undefined` when unset. Node
 * reads it once, when a process starts, relative to that process's working directory, and
 * ignores a file it cannot load with a single warning: every https call to a server with a
 * private CA (the emulator's dev CA) then fails with "unable to verify the first
 * certificate". So a relative path is resolved here, from the repository root like every
 * path in `.env`, and a missing file stops the command with the reason.
 */
export function extraCaCertsFile(env = process.env, baseDir = repoRoot) {
  const value = env.NODE_EXTRA_CA_CERTS?.trim();
  if (!value) return undefined;
  const file = resolve(baseDir, value);
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SettingsError(
      caProblem(value, file, `cannot be read (${error.code ?? error.message})`),
    );
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw new SettingsError(caProblem(value, file, "holds no PEM certificate"));
  }
  return file;
}

function caProblem(value, file, reason) {
  return (
    `NODE_EXTRA_CA_CERTS is "${value}", but ${file} ${reason}. Node would ignore it, and ` +
    'every https call to a server with a private CA would fail with "unable to verify the ' +
    'first certificate". Set it to the CA file (absolute, or relative to the repository root); ' +
    "`pnpm emulator` prints the emulator's."
  );
}
