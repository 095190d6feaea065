// Which CAs Node trusts for outgoing https (Entra, Graph, declared APIs). A private CA (the
// emulator's dev CA, a TLS-inspecting proxy) comes from NODE_EXTRA_CA_CERTS, Node's own
// setting, which Node reads once at process start, relative to the working directory, and
// skips with a one-line warning when the file cannot be loaded. Left alone, that mistake shows
// up much later as a BFF that stays unready with "unable to verify the first certificate".
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

/**
 * Why Node cannot have loaded NODE_EXTRA_CA_CERTS (`value`, resolved from `cwd` as Node
 * does), or `undefined` when it is unset or names a readable PEM certificate file. Does not
 * check that it is the right CA: only a TLS handshake can tell (service-kit's
 * `describeFetchError` words that failure).
 */
export function extraCaCertsProblem(value: string | undefined, cwd: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const file = resolve(cwd, value);
  let reason: string | undefined;
  try {
    if (!readFileSync(file, "utf8").includes("-----BEGIN CERTIFICATE-----")) {
      reason = "holds no PEM certificate";
    }
  } catch (error) {
    reason = `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  if (reason === undefined) return undefined;
  const where = isAbsolute(value) ? file : `${file} (relative to the working directory)`;
  return (
    `NODE_EXTRA_CA_CERTS is "${value}", but ${where} ${reason}. Node ignored it, so https ` +
    'calls to a server with a private CA would fail with "unable to verify the first ' +
    "certificate\". Set it to the CA file's absolute path before the BFF starts (`pnpm start` " +
    "also reads it from .env; `pnpm emulator` prints the emulator's)."
  );
}
