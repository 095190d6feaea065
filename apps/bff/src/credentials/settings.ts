// The client credential settings: how the BFF proves to Entra ID that it is the app.
// Exactly one kind, validated at start-up with every problem named.
import { accessSync, constants, statSync } from "node:fs";
import { CertificateFileError, readCertificateFile } from "./certificate-file.ts";

export type ClientCredentialSettings =
  /** ENTRA_CLIENT_SECRET: newest first; `expiresAt` from ENTRA_CLIENT_SECRET_EXPIRES. */
  | { kind: "secret"; secrets: { value: string; expiresAt: Date | undefined }[] }
  /** ENTRA_CLIENT_CERTIFICATE: PEM files, newest first, re-read when they change. */
  | { kind: "certificate"; files: string[] }
  /** Workload identity federation: a file another issuer keeps a fresh token in. */
  | {
      kind: "federated";
      tokenFile: string;
      setting: "ENTRA_CLIENT_ASSERTION_FILE" | "AZURE_FEDERATED_TOKEN_FILE";
    }
  /** A managed identity's token for api://AzureADTokenExchange; `clientId` absent = system-assigned. */
  | { kind: "managed_identity"; clientId: string | undefined };

export type ClientCredentialKind = ClientCredentialSettings["kind"];

const explicitSettings = [
  "ENTRA_CLIENT_SECRET",
  "ENTRA_CLIENT_CERTIFICATE",
  "ENTRA_CLIENT_ASSERTION_FILE",
  "ENTRA_MANAGED_IDENTITY",
] as const;

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Reads the credential settings. `AZURE_FEDERATED_TOKEN_FILE` (set by AKS workload
 * identity) counts only when no credential is set explicitly. Pushes one message per
 * problem; returns `undefined` when there is any. Reads the files named, contacts nothing.
 */
export function parseClientCredentials(
  read: (name: string) => string | undefined,
  problems: string[],
): ClientCredentialSettings | undefined {
  const set = explicitSettings.filter((name) => read(name) !== undefined);
  const expires = read("ENTRA_CLIENT_SECRET_EXPIRES");
  if (expires !== undefined && !set.includes("ENTRA_CLIENT_SECRET")) {
    problems.push("ENTRA_CLIENT_SECRET_EXPIRES is set but ENTRA_CLIENT_SECRET is not.");
  }
  if (set.length > 1) {
    problems.push(
      `Set exactly one client credential; found ${set.join(" and ")}. Keep the one you registered in Entra ID and remove the others.`,
    );
    return undefined;
  }
  const before = problems.length;
  let settings: ClientCredentialSettings | undefined;
  switch (set[0]) {
    case "ENTRA_CLIENT_SECRET":
      settings = parseSecrets(read("ENTRA_CLIENT_SECRET")!, expires, problems);
      break;
    case "ENTRA_CLIENT_CERTIFICATE":
      settings = parseCertificates(read("ENTRA_CLIENT_CERTIFICATE")!, problems);
      break;
    case "ENTRA_CLIENT_ASSERTION_FILE":
      settings = parseTokenFile(
        "ENTRA_CLIENT_ASSERTION_FILE",
        read("ENTRA_CLIENT_ASSERTION_FILE")!,
        problems,
      );
      break;
    case "ENTRA_MANAGED_IDENTITY":
      settings = parseManagedIdentity(read("ENTRA_MANAGED_IDENTITY")!, problems);
      break;
    case undefined: {
      const aksTokenFile = read("AZURE_FEDERATED_TOKEN_FILE");
      if (aksTokenFile !== undefined) {
        settings = parseTokenFile("AZURE_FEDERATED_TOKEN_FILE", aksTokenFile, problems);
        break;
      }
      problems.push(
        "A client credential is required: ENTRA_CLIENT_SECRET (client secrets, comma-separated, newest first), " +
          "ENTRA_CLIENT_CERTIFICATE (PEM files with certificate and private key), " +
          "ENTRA_CLIENT_ASSERTION_FILE (workload identity federation: a token file) or " +
          "ENTRA_MANAGED_IDENTITY (system, or a user-assigned identity's client id).",
      );
      return undefined;
    }
  }
  return problems.length === before ? settings : undefined;
}

function parseSecrets(
  value: string,
  expires: string | undefined,
  problems: string[],
): ClientCredentialSettings {
  const secrets = value.split(",").map((secret) => secret.trim());
  secrets.forEach((secret, i) => {
    if (secret === "") problems.push(`ENTRA_CLIENT_SECRET entry ${i + 1} is empty.`);
  });
  const dates = expires === undefined ? [] : expires.split(",").map((date) => date.trim());
  if (dates.length > secrets.length) {
    problems.push(
      `ENTRA_CLIENT_SECRET_EXPIRES names ${dates.length} dates for ${secrets.length} secret(s): give one per secret, in the same order.`,
    );
  }
  const expiresAt = dates.map((date, i) => {
    const parsed = isoDate.test(date) ? new Date(date) : undefined;
    if (!parsed || Number.isNaN(parsed.getTime())) {
      problems.push(
        `ENTRA_CLIENT_SECRET_EXPIRES entry ${i + 1} must be an ISO 8601 date such as 2026-12-29 or 2026-12-29T10:00:00Z (got "${date.slice(0, 40)}").`,
      );
      return undefined;
    }
    return parsed;
  });
  return {
    kind: "secret",
    secrets: secrets.map((secret, i) => ({ value: secret, expiresAt: expiresAt[i] })),
  };
}

function parseCertificates(value: string, problems: string[]): ClientCredentialSettings {
  const files = value
    .split(",")
    .map((file) => file.trim())
    .filter(Boolean);
  if (files.length === 0) problems.push("ENTRA_CLIENT_CERTIFICATE names no file.");
  for (const file of files) {
    try {
      readCertificateFile(file);
    } catch (error) {
      if (!(error instanceof CertificateFileError)) throw error;
      problems.push(`ENTRA_CLIENT_CERTIFICATE: ${error.message}`);
    }
  }
  return { kind: "certificate", files };
}

function parseTokenFile(
  setting: "ENTRA_CLIENT_ASSERTION_FILE" | "AZURE_FEDERATED_TOKEN_FILE",
  tokenFile: string,
  problems: string[],
): ClientCredentialSettings {
  try {
    if (!statSync(tokenFile).isFile()) throw new Error("not a file");
    accessSync(tokenFile, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      `${setting} "${tokenFile}" ${code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : "is not a readable file"}; it must name the file your platform writes the federated token to.`,
    );
  }
  return { kind: "federated", tokenFile, setting };
}

function parseManagedIdentity(value: string, problems: string[]): ClientCredentialSettings {
  if (value.toLowerCase() === "system") return { kind: "managed_identity", clientId: undefined };
  if (!guid.test(value)) {
    problems.push(
      `ENTRA_MANAGED_IDENTITY must be "system" or a user-assigned managed identity's client id (a GUID); got "${value.slice(0, 60)}".`,
    );
  }
  return { kind: "managed_identity", clientId: value.toLowerCase() };
}
