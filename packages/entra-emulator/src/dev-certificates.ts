/** A dev CA and a localhost server certificate, generated once into a git-ignored folder. */
import { randomUUID } from "node:crypto";
import {
  chmod,
  link,
  mkdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { isIP } from "node:net";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type CryptoKey, exportPKCS8, generateKeyPair, importPKCS8 } from "jose";
import { x509 } from "./x509.ts";

export interface DevCertificateOptions {
  /** Default: `EMULATOR_CERT_DIR`, else `<repo>/.dev-certs`. */
  dir?: string;
  /** Extra names besides localhost, 127.0.0.1 and ::1 (also `EMULATOR_HOSTNAMES`, comma-separated). */
  hostnames?: string[];
}

export interface DevCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

const baseHostnames = ["localhost", "127.0.0.1", "::1"];
const signingAlgorithm = { name: "ECDSA", hash: "SHA-256" };
const dayMs = 86_400_000;
// Node has no cap on leaf lifetimes, but renewing well before expiry keeps a long-lived
// checkout from failing on the day the certificate lapses.
const leafLifetimeDays = 365;
const leafRenewBeforeDays = 30;
const caLifetimeDays = 3650;

/** `<repo>/.dev-certs`, found from this file's location so any working directory works. */
export function defaultCertDir(): string {
  return (
    process.env.EMULATOR_CERT_DIR ||
    resolve(dirname(fileURLToPath(import.meta.url)), "../../../.dev-certs")
  );
}

export function hostnamesFromEnv(value = process.env.EMULATOR_HOSTNAMES): string[] {
  return (value ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
}

/**
 * Returns the dev CA and server certificate files, creating them on first use. Reuses
 * existing files: the CA must stay stable because `NODE_EXTRA_CA_CERTS` is read once per
 * process. Re-issues only the server certificate when a requested host name is missing or
 * it nears expiry. Does not install the CA anywhere; pass `caFile` to `NODE_EXTRA_CA_CERTS`.
 */
export async function ensureDevCertificates(
  options: DevCertificateOptions = {},
): Promise<DevCertificates> {
  const dir = resolve(options.dir ?? defaultCertDir());
  const files = {
    caFile: join(dir, "ca.pem"),
    certFile: join(dir, "server.pem"),
    keyFile: join(dir, "server-key.pem"),
  };
  const caKeyFile = join(dir, "ca-key.pem");
  const wanted = unique([...baseHostnames, ...hostnamesFromEnv(), ...(options.hostnames ?? [])]);

  await mkdir(dir, { recursive: true });
  // Test workers and `pnpm dev` may start at the same moment: one process generates.
  return withLock(join(dir, ".lock"), async () => {
    const ca = (await readCa(files.caFile, caKeyFile)) ?? (await createCa(files.caFile, caKeyFile));
    const leaf = await readLeaf(files.certFile, files.keyFile);
    const names = leaf ? await leafNames(leaf, ca.cert) : undefined;
    if (!names || !wanted.every((name) => names.includes(name))) {
      await createLeaf(ca, unique([...wanted, ...(names ?? [])]), files.certFile, files.keyFile);
    }
    return files;
  });
}

interface CertificateAuthority {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

async function readCa(
  caFile: string,
  caKeyFile: string,
): Promise<CertificateAuthority | undefined> {
  const [certPem, keyPem] = await Promise.all([readOptional(caFile), readOptional(caKeyFile)]);
  if (!certPem || !keyPem) return undefined;
  const cert = new x509.X509Certificate(certPem);
  if (cert.notAfter.getTime() < Date.now() + leafLifetimeDays * dayMs) return undefined;
  return { cert, key: (await importPKCS8(keyPem, "ES256")) as CryptoKey };
}

async function createCa(caFile: string, caKeyFile: string): Promise<CertificateAuthority> {
  const keys = await generateKeyPair("ES256", { extractable: true });
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=entra-bff emulator dev-only CA, O=entra-bff dev-only",
    notBefore: new Date(Date.now() - dayMs),
    notAfter: new Date(Date.now() + caLifetimeDays * dayMs),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await writeAtomic(caKeyFile, await exportPKCS8(keys.privateKey), 0o600);
  await writeAtomic(caFile, cert.toString("pem"), 0o644);
  return { cert, key: keys.privateKey };
}

async function readLeaf(certFile: string, keyFile: string) {
  const [certPem, keyPem] = await Promise.all([readOptional(certFile), readOptional(keyFile)]);
  if (!certPem || !keyPem) return undefined;
  return new x509.X509Certificate(certPem);
}

/** The leaf's host names, or undefined when it must be re-issued (other CA, expiring). */
async function leafNames(leaf: x509.X509Certificate, caCert: x509.X509Certificate) {
  if (leaf.notAfter.getTime() < Date.now() + leafRenewBeforeDays * dayMs) return undefined;
  const signedByCa = await leaf
    .verify({ publicKey: caCert, signatureOnly: true })
    .catch(() => false);
  if (!signedByCa) return undefined;
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
  return san?.names.items.map((name) => name.value) ?? [];
}

async function createLeaf(
  ca: CertificateAuthority,
  hostnames: string[],
  certFile: string,
  keyFile: string,
) {
  const keys = await generateKeyPair("ES256", { extractable: true });
  const cert = await x509.X509CertificateGenerator.create({
    subject: "CN=localhost, O=entra-bff dev-only",
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - dayMs),
    notAfter: new Date(Date.now() + leafLifetimeDays * dayMs),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hostnames.map((value) => ({
          type: isIP(value) ? ("ip" as const) : ("dns" as const),
          value,
        })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  await writeAtomic(keyFile, await exportPKCS8(keys.privateKey), 0o600);
  await writeAtomic(certFile, cert.toString("pem"), 0o644);
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Readers never see a half-written PEM: write beside the target, then rename over it. */
async function writeAtomic(file: string, content: string, mode: number) {
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, content, { mode });
  await chmod(temp, mode);
  await rename(temp, file);
}

const lockStaleMs = 30_000;

async function withLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const token = `${lockFile}.${randomUUID()}`;
  await writeFile(token, String(process.pid));
  try {
    for (;;) {
      try {
        // link() fails if the lock exists: an atomic "create if absent" on every platform.
        await link(token, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const age = await stat(lockFile).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > lockStaleMs) await rm(lockFile, { force: true });
        else await sleep(50);
      }
    }
    try {
      return await work();
    } finally {
      await unlink(lockFile).catch(() => {});
    }
  } finally {
    await unlink(token).catch(() => {});
  }
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
