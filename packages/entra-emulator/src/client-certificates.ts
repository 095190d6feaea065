/**
 * Certificate credentials: reading the certificates a registration holds, and making
 * self-signed ones (with their private key) for tests, generated at run time.
 */
import { createHash, type KeyObject, X509Certificate } from "node:crypto";
import { exportPKCS8, generateKeyPair } from "jose";
import { x509 } from "./x509.ts";

export interface RegisteredCertificate {
  /** Upper-case hex, as the portal lists thumbprints. */
  sha1: string;
  sha256: string;
  publicKey: KeyObject;
  notBefore: number;
  notAfter: number;
}

const parsed = new Map<string, RegisteredCertificate>();

/** Parses (once) a PEM certificate of a registration. A malformed one is a TypeError. */
export function registeredCertificate(pem: string): RegisteredCertificate {
  let certificate = parsed.get(pem);
  if (!certificate) {
    let x: X509Certificate;
    try {
      x = new X509Certificate(pem);
    } catch (error) {
      throw new TypeError(
        `a registered certificate is not a PEM certificate: ${(error as Error).message}`,
      );
    }
    certificate = {
      sha1: createHash("sha1").update(x.raw).digest("hex").toUpperCase(),
      sha256: createHash("sha256").update(x.raw).digest("hex").toUpperCase(),
      publicKey: x.publicKey,
      notBefore: Date.parse(x.validFrom),
      notAfter: Date.parse(x.validTo),
    };
    parsed.set(pem, certificate);
  }
  return certificate;
}

export interface ClientCertificateOptions {
  /** Default "CN=entra-bff dev-only client". */
  subject?: string;
  /** Default one day ago. */
  notBefore?: Date;
  /** Default one year from now. */
  notAfter?: Date;
}

export interface ClientCertificate {
  /** The certificate alone (PEM): what the registration holds (Entra's "Upload certificate"). */
  certificate: string;
  /** PKCS #8 PEM. */
  privateKey: string;
  /** Certificate then private key: the file an app reads (`ENTRA_CLIENT_CERTIFICATE`). */
  pem: string;
  /** Upper-case hex. */
  thumbprintSha1: string;
  thumbprintSha256: string;
}

/** A self-signed RSA certificate and its key, for tests (dev-only, never stored). */
export async function createClientCertificate(
  options: ClientCertificateOptions = {},
): Promise<ClientCertificate> {
  const keys = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: options.subject ?? "CN=entra-bff dev-only client",
    notBefore: options.notBefore ?? new Date(now - 86_400_000),
    notAfter: options.notAfter ?? new Date(now + 365 * 86_400_000),
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    keys,
  });
  const certificate = cert.toString("pem");
  const privateKey = await exportPKCS8(keys.privateKey);
  const { sha1, sha256 } = registeredCertificate(certificate);
  return {
    certificate,
    privateKey,
    pem: `${certificate}\n${privateKey}\n`,
    thumbprintSha1: sha1,
    thumbprintSha256: sha256,
  };
}
