// A client certificate file (ENTRA_CLIENT_CERTIFICATE): a PEM holding the certificate, its
// chain if any, and the RSA private key, as `openssl` or Key Vault's PEM export writes it.
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

export interface LoadedCertificate {
  path: string;
  /** Upper-case hex: the SHA-1 thumbprint is what the portal lists. */
  thumbprintSha1: string;
  thumbprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  subject: string;
  /** PKCS #8 PEM, what msal-node signs the client assertion with. */
  privateKey: string;
  /** The certificate first, then its chain: msal-node's `x5c`. */
  chain: string;
}

/** Why a certificate file cannot be used; the message names the file and what to fix. */
export class CertificateFileError extends Error {
  override name = "CertificateFileError";
}

/** A PEM block's first line, as the messages name the block that is missing. */
const pemBegin = (label: string) => `-----BEGIN ${label}-----`;

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const privateKeyBlock =
  /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END \1?PRIVATE KEY-----/;

/** Reads and checks the file now. Throws `CertificateFileError`. */
export function readCertificateFile(path: string): LoadedCertificate {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : (error as Error).message;
    throw new CertificateFileError(`${path} cannot be read: ${reason}.`);
  }
  return parseCertificatePem(text, path);
}

export function parseCertificatePem(text: string, path: string): LoadedCertificate {
  const certificates = (text.match(certificateBlock) ?? []).map((pem) => {
    try {
      return { pem, x509: new X509Certificate(pem) };
    } catch {
      throw new CertificateFileError(
        `${path} holds a CERTIFICATE block that is not a certificate.`,
      );
    }
  });
  if (certificates.length === 0) {
    throw new CertificateFileError(
      `${path} holds no certificate (${pemBegin("CERTIFICATE")}); it must hold the certificate and its private key.`,
    );
  }
  const keyMatch = text.match(privateKeyBlock);
  if (!keyMatch) {
    throw new CertificateFileError(
      `${path} holds no private key (${pemBegin("PRIVATE KEY")}); it must hold the certificate and its private key.`,
    );
  }
  if (keyMatch[1] === "ENCRYPTED ") {
    throw new CertificateFileError(
      `${path} holds an encrypted private key; store it unencrypted, readable only by the BFF (e.g. a mounted secret).`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyMatch[0]);
  } catch (error) {
    throw new CertificateFileError(
      `${path} holds a private key that cannot be read: ${(error as Error).message}.`,
    );
  }
  // Entra signs and verifies client assertions with RS256/PS256 only.
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new CertificateFileError(
      `${path} holds a key of type ${privateKey.asymmetricKeyType?.toUpperCase() ?? "unknown"}; Entra ID accepts RSA certificates only.`,
    );
  }
  const leafIndex = certificates.findIndex(({ x509 }) => x509.checkPrivateKey(privateKey));
  if (leafIndex === -1) {
    throw new CertificateFileError(`${path}: the private key does not belong to the certificate.`);
  }
  const leaf = certificates[leafIndex]!;
  const chain = [leaf, ...certificates.filter((_, i) => i !== leafIndex)];
  return {
    path,
    thumbprintSha1: createHash("sha1").update(leaf.x509.raw).digest("hex").toUpperCase(),
    thumbprintSha256: createHash("sha256").update(leaf.x509.raw).digest("hex").toUpperCase(),
    notBefore: new Date(leaf.x509.validFrom),
    notAfter: new Date(leaf.x509.validTo),
    subject: leaf.x509.subject.replace(/\n/g, ", "),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    chain: chain.map(({ pem }) => pem).join("\n"),
  };
}
