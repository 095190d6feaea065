// The app's client credentials at run time: kept current as their files rotate, and tried
// in order when Entra ID answers that one is bad (expired secret, unknown certificate…), so
// a credential that lapses is an entry in the log, not an outage.
import { statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import * as msal from "@azure/msal-node";
import type { CredentialStatus as ContractCredentialStatus } from "@entra-bff/contract";
import type { FastifyBaseLogger } from "fastify";
import {
  CertificateFileError,
  type LoadedCertificate,
  readCertificateFile,
} from "./certificate-file.ts";
import type { ClientCredentialKind, ClientCredentialSettings } from "./settings.ts";

/** What MSAL's `auth` options carry for one credential. */
export type CredentialAuth = Pick<
  msal.NodeAuthOptions,
  "clientSecret" | "clientCertificate" | "clientAssertion"
>;

/** `AuthError.errorCode` when a token file or the managed identity endpoint cannot be read. */
export const credentialUnavailableCode = "bff_credential_unavailable";

/**
 * Entra's answers meaning "this credential is bad" (not "this request is bad"): invalid or
 * expired secret, certificate unknown or expired / bad signature, assertion out of its time
 * range. Any other refusal is the request's and no other credential would change it.
 */
const credentialRefusals = new Set(["7000215", "7000222", "700027", "700024"]);

/** Warn from this long before a credential expires. */
export const expiryWarningMs = 30 * 86_400_000;
const dayMs = 86_400_000;

/** Entra's token exchange resource: the audience of a managed identity's federated token. */
const tokenExchangeResource = "api://AzureADTokenExchange";

export interface CredentialStatus {
  kind: ClientCredentialKind;
  /** 1 = the first of its setting. */
  index: number;
  label: string;
  /** Token requests use this one now. */
  active: boolean;
  thumbprint: string | undefined;
  expiresAt: Date | undefined;
}

interface Credential {
  readonly kind: ClientCredentialKind;
  readonly index: number;
  /** Names the credential in logs; never its value. */
  readonly label: string;
  auth(): CredentialAuth;
  expiresAt(): Date | undefined;
  thumbprint(): string | undefined;
  /** Picks up a changed file; true when the credential changed. */
  reload?(log: FastifyBaseLogger): Promise<boolean>;
  /** After a refusal: fetch a fresh token if there can be one; true = worth one more try. */
  renew?(): Promise<boolean>;
}

export class ClientCredentials {
  readonly kind: ClientCredentialKind;
  readonly #credentials: Credential[];
  #active = 0;
  #reloading: Promise<void> | undefined;
  readonly #fallbacks = new Map<
    string,
    { kind: ClientCredentialKind; code: string; count: number }
  >();
  /** Per credential: when and at which level its expiry was last logged. */
  readonly #warned = new Map<number, { level: "warn" | "error"; at: number }>();

  constructor(settings: ClientCredentialSettings, options: { networkClient: msal.INetworkModule }) {
    this.kind = settings.kind;
    switch (settings.kind) {
      case "secret":
        this.#credentials = settings.secrets.map(
          (secret, i) => new SecretCredential(i + 1, settings.secrets.length, secret),
        );
        break;
      case "certificate":
        this.#credentials = settings.files.map((file, i) => new CertificateCredential(i + 1, file));
        break;
      case "federated":
        this.#credentials = [new FederatedTokenCredential(settings.tokenFile, settings.setting)];
        break;
      case "managed_identity":
        this.#credentials = [
          new ManagedIdentityCredential(settings.clientId, options.networkClient),
        ];
        break;
    }
  }

  /** The credential in use, as MSAL options. Reads no file: for clients that only build URLs. */
  current(): CredentialAuth {
    return this.#credentials[this.#active]!.auth();
  }

  /** Something like "2 client secrets (ENTRA_CLIENT_SECRET)", for the start-up log. */
  describe(): string {
    return this.#credentials.map((c) => c.label).join("; ");
  }

  /**
   * Runs `attempt` with the credential in use; when Entra refuses that credential as bad,
   * logs it, counts it and runs `attempt` again with the next one, until one is accepted
   * or none is left (then throws the last refusal). A rotated file is re-read first.
   */
  async run<T>(
    log: FastifyBaseLogger,
    attempt: (credential: CredentialAuth) => Promise<T>,
  ): Promise<T> {
    await this.#reloadFiles(log);
    const count = this.#credentials.length;
    const start = this.#active;
    let refusal: { code: string; error: unknown } | undefined;
    for (let step = 0; step < count; step++) {
      const index = (start + step) % count;
      const credential = this.#credentials[index]!;
      const outcome = await this.#try(credential, attempt);
      if ("value" in outcome) {
        this.#active = index;
        return outcome.value;
      }
      refusal = outcome;
      const next = step + 1 < count ? this.#credentials[(index + 1) % count] : undefined;
      if (next) {
        this.#countFallback(credential.kind, outcome.code);
        log.warn(
          { credential: credential.label, next: next.label, aadsts: outcome.code },
          "Entra ID refused the client credential; trying the next one (replace or remove the refused one)",
        );
      }
    }
    log.error(
      { credentials: this.#credentials.map((c) => c.label), aadsts: refusal!.code },
      "Entra ID refused every configured client credential: sign-in and renewal fail until one is valid",
    );
    throw refusal!.error;
  }

  async #try<T>(
    credential: Credential,
    attempt: (credential: CredentialAuth) => Promise<T>,
  ): Promise<{ value: T } | { code: string; error: unknown }> {
    try {
      return { value: await attempt(credential.auth()) };
    } catch (error) {
      const code = refusalCode(error);
      if (code === undefined) throw error;
      // An expired token in the file or cache may already have a successor.
      if (!(await credential.renew?.())) return { code, error };
      try {
        return { value: await attempt(credential.auth()) };
      } catch (retryError) {
        const retryCode = refusalCode(retryError);
        if (retryCode === undefined) throw retryError;
        return { code: retryCode, error: retryError };
      }
    }
  }

  #reloadFiles(log: FastifyBaseLogger): Promise<void> {
    // Concurrent requests share one look at the files.
    this.#reloading ??= (async () => {
      const changed = await Promise.all(this.#credentials.map((c) => c.reload?.(log) ?? false));
      // A replaced file may be the newest credential again: start from the first.
      if (changed.some(Boolean)) this.#active = 0;
    })().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  #countFallback(kind: ClientCredentialKind, code: string): void {
    const key = `${kind} ${code}`;
    const entry = this.#fallbacks.get(key) ?? { kind, code, count: 0 };
    entry.count += 1;
    this.#fallbacks.set(key, entry);
  }

  /** `entra_bff_credential_fallbacks_total`, by the refused credential's kind and code. */
  fallbacks(): { kind: ClientCredentialKind; code: string; count: number }[] {
    return [...this.#fallbacks.values()].map((entry) => ({ ...entry }));
  }

  status(): CredentialStatus[] {
    return this.#credentials.map((credential, i) => ({
      kind: credential.kind,
      index: credential.index,
      label: credential.label,
      active: i === this.#active,
      thumbprint: credential.thumbprint(),
      expiresAt: credential.expiresAt(),
    }));
  }

  /** What `/readyz` shows: no value, only kind, position, thumbprint and expiry. */
  report(now: number): ContractCredentialStatus[] {
    return this.status().map((credential) => {
      const left = credential.expiresAt ? credential.expiresAt.getTime() - now : undefined;
      return {
        kind: credential.kind,
        index: credential.index,
        active: credential.active,
        ...(credential.thumbprint ? { thumbprint: credential.thumbprint } : {}),
        ...(credential.expiresAt ? { expiresAt: credential.expiresAt.toISOString() } : {}),
        expiry:
          left === undefined
            ? credential.kind === "secret" || credential.kind === "certificate"
              ? "unknown"
              : "short_lived"
            : left <= 0
              ? "expired"
              : left <= expiryWarningMs
                ? "expiring"
                : "ok",
      };
    });
  }

  /**
   * Logs each credential that expires within 30 days (warn) or has expired (error), at
   * most once a day each, and again at once when one moves from expiring to expired.
   */
  checkExpiry(now: number, log: FastifyBaseLogger): void {
    for (const credential of this.#credentials) {
      const expiresAt = credential.expiresAt();
      if (!expiresAt) continue;
      const left = expiresAt.getTime() - now;
      if (left > expiryWarningMs) {
        this.#warned.delete(credential.index);
        continue;
      }
      const level = left <= 0 ? "error" : "warn";
      const last = this.#warned.get(credential.index);
      if (last && last.level === level && now - last.at < dayMs) continue;
      this.#warned.set(credential.index, { level, at: now });
      const details = {
        credential: credential.label,
        expiresAt: expiresAt.toISOString(),
        ...(credential.thumbprint() ? { thumbprint: credential.thumbprint() } : {}),
      };
      if (level === "error") {
        log.error(details, "client credential has expired: add a new one in Entra ID and here");
      } else {
        log.warn(
          { ...details, daysLeft: Math.floor(left / dayMs) },
          `client credential expires in ${Math.ceil(left / dayMs)} day(s): add a new one in Entra ID and here before then`,
        );
      }
    }
  }
}

/** The AADSTS number of a refusal meaning "this credential is bad", else `undefined`. */
function refusalCode(error: unknown): string | undefined {
  if (!(error instanceof msal.ServerError) || error.errorNo === undefined) return undefined;
  const code = String(error.errorNo);
  return credentialRefusals.has(code) ? `AADSTS${code}` : undefined;
}

function unavailable(message: string): msal.AuthError {
  return new msal.AuthError(credentialUnavailableCode, "", message);
}

class SecretCredential implements Credential {
  readonly kind = "secret";
  readonly label: string;
  readonly #value: string;
  readonly #expiresAt: Date | undefined;
  constructor(
    readonly index: number,
    count: number,
    secret: { value: string; expiresAt: Date | undefined },
  ) {
    this.label = count === 1 ? "client secret" : `client secret ${index} of ${count}`;
    this.#value = secret.value;
    this.#expiresAt = secret.expiresAt;
  }
  auth(): CredentialAuth {
    return { clientSecret: this.#value };
  }
  expiresAt() {
    return this.#expiresAt;
  }
  thumbprint() {
    return undefined;
  }
}

/** `mtime`, size and inode: a replaced or rewritten file changes at least one. */
async function fileStamp(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.mtimeMs}:${info.size}:${info.ino}`;
}

class CertificateCredential implements Credential {
  readonly kind = "certificate";
  readonly label: string;
  #certificate: LoadedCertificate;
  #stamp: string | undefined;
  constructor(
    readonly index: number,
    readonly path: string,
  ) {
    this.label = `certificate ${index} (${path})`;
    // loadConfig has checked the file; a failure here is a file removed since.
    this.#certificate = readCertificateFile(path);
    const info = statSync(path);
    this.#stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
  }
  auth(): CredentialAuth {
    return {
      clientCertificate: {
        thumbprintSha256: this.#certificate.thumbprintSha256,
        privateKey: this.#certificate.privateKey,
        x5c: this.#certificate.chain,
      },
    };
  }
  expiresAt() {
    return this.#certificate.notAfter;
  }
  thumbprint() {
    return this.#certificate.thumbprintSha1;
  }
  async reload(log: FastifyBaseLogger): Promise<boolean> {
    let stamp: string;
    try {
      stamp = await fileStamp(this.path);
    } catch (error) {
      if (this.#stamp !== "missing") {
        log.error(
          { credential: this.label, reason: (error as Error).message },
          "client certificate file cannot be read; still using the certificate read before",
        );
      }
      this.#stamp = "missing";
      return false;
    }
    if (stamp === this.#stamp) return false;
    this.#stamp = stamp;
    let next: LoadedCertificate;
    try {
      next = readCertificateFile(this.path);
    } catch (error) {
      if (!(error instanceof CertificateFileError)) throw error;
      // Possibly half-written: the next change of the file is read again.
      log.error(
        { credential: this.label, reason: error.message },
        "client certificate file changed but cannot be used; still using the certificate read before",
      );
      return false;
    }
    if (next.thumbprintSha256 === this.#certificate.thumbprintSha256) return false;
    this.#certificate = next;
    log.info(
      {
        credential: this.label,
        thumbprint: next.thumbprintSha1,
        notAfter: next.notAfter.toISOString(),
      },
      "client certificate file changed: using the new certificate",
    );
    return true;
  }
}

/**
 * Workload identity federation: the platform (Kubernetes, AKS) writes a short-lived token
 * for this workload into a file and replaces it before it expires; it is read again
 * whenever the file changes.
 */
class FederatedTokenCredential implements Credential {
  readonly kind = "federated";
  readonly index = 1;
  readonly label: string;
  #token: string | undefined;
  #stamp: string | undefined;
  #sent: string | undefined;
  constructor(
    readonly path: string,
    setting: string,
  ) {
    this.label = `federated token file ${path} (${setting})`;
  }
  auth(): CredentialAuth {
    return { clientAssertion: async () => this.#read(false) };
  }
  expiresAt() {
    return undefined;
  }
  thumbprint() {
    return undefined;
  }
  async renew(): Promise<boolean> {
    const sent = this.#sent;
    await this.#read(true).catch(() => undefined);
    return this.#token !== undefined && this.#token !== sent;
  }
  async #read(force: boolean): Promise<string> {
    let stamp: string;
    let token: string;
    try {
      stamp = await fileStamp(this.path);
      if (force || stamp !== this.#stamp || this.#token === undefined) {
        token = (await readFile(this.path, "utf8")).trim();
      } else {
        token = this.#token;
      }
    } catch (error) {
      throw unavailable(
        `the federated token file ${this.path} cannot be read: ${(error as Error).message}`,
      );
    }
    if (token === "") throw unavailable(`the federated token file ${this.path} is empty`);
    this.#token = token;
    this.#stamp = stamp;
    this.#sent = token;
    return token;
  }
}

/**
 * A managed identity's token for api://AzureADTokenExchange, from the platform's identity
 * endpoint (msal-node's ManagedIdentityApplication caches it), presented as a federated
 * credential the app registration trusts.
 */
class ManagedIdentityCredential implements Credential {
  readonly kind = "managed_identity";
  readonly index = 1;
  readonly label: string;
  readonly #identity: msal.ManagedIdentityApplication;
  #forceRefresh = false;
  constructor(clientId: string | undefined, networkClient: msal.INetworkModule) {
    this.label = clientId
      ? `user-assigned managed identity ${clientId}`
      : "system-assigned managed identity";
    this.#identity = new msal.ManagedIdentityApplication({
      ...(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {}),
      system: { networkClient },
    });
  }
  auth(): CredentialAuth {
    return {
      clientAssertion: async () => {
        const forceRefresh = this.#forceRefresh;
        this.#forceRefresh = false;
        try {
          const result = await this.#identity.acquireToken({
            resource: tokenExchangeResource,
            forceRefresh,
          });
          return result.accessToken;
        } catch (error) {
          throw unavailable(
            `the ${this.label} gave no token for ${tokenExchangeResource}: ${(error as Error).message}`,
          );
        }
      },
    };
  }
  expiresAt() {
    return undefined;
  }
  thumbprint() {
    return undefined;
  }
  async renew(): Promise<boolean> {
    // The cached token was refused: ask the endpoint for a new one, once.
    this.#forceRefresh = true;
    return true;
  }
}
