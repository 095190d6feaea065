// The credential settings: exactly one kind, every problem named at start-up.
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createClientCertificate } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { sessionKey } from "../helpers/bff.ts";
import { credentialFolder } from "./stack.ts";

const base = {
  ENTRA_AUTHORITY: "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee",
  ENTRA_CLIENT_ID: "00000000-0000-0000-0000-0000000b0ff1",
  PUBLIC_ORIGIN: "http://localhost:3000",
  SESSION_KEYS: sessionKey(),
};
const folder = credentialFolder();
const files = {
  good: folder.path("good.pem"),
  certOnly: folder.path("cert-only.pem"),
  otherKey: folder.path("other-key.pem"),
  encrypted: folder.path("encrypted.pem"),
  ec: folder.path("ec.pem"),
  token: folder.path("token"),
};

beforeAll(async () => {
  const [one, two] = await Promise.all([createClientCertificate(), createClientCertificate()]);
  writeFileSync(files.good, one.pem);
  writeFileSync(files.certOnly, one.certificate);
  writeFileSync(files.otherKey, `${one.certificate}\n${two.privateKey}`);
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const encryptedKey = rsa.privateKey.export({
    type: "pkcs8",
    format: "pem",
    cipher: "aes-256-cbc",
    passphrase: "dev-only-passphrase",
  });
  writeFileSync(files.encrypted, `${one.certificate}\n${encryptedKey}`);
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileSync(
    files.ec,
    `${one.certificate}\n${ec.privateKey.export({ type: "pkcs8", format: "pem" })}`,
  );
  writeFileSync(files.token, "dev-only.federated.token");
});
afterAll(() => folder.remove());

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

describe("client credential settings", () => {
  it("reads secrets newest first, with their expiry dates", () => {
    const config = loadConfig({
      ...base,
      ENTRA_CLIENT_SECRET: " dev-only-new , dev-only-old ",
      ENTRA_CLIENT_SECRET_EXPIRES: "2027-01-31T12:00:00Z",
    });
    expect(config.credentials).toEqual({
      kind: "secret",
      secrets: [
        { value: "dev-only-new", expiresAt: new Date("2027-01-31T12:00:00Z") },
        { value: "dev-only-old", expiresAt: undefined },
      ],
    });
  });

  it("reads certificate files, a token file, and managed identities", () => {
    expect(
      loadConfig({ ...base, ENTRA_CLIENT_CERTIFICATE: `${files.good},${files.good}` }).credentials,
    ).toEqual({ kind: "certificate", files: [files.good, files.good] });
    expect(loadConfig({ ...base, ENTRA_CLIENT_ASSERTION_FILE: files.token }).credentials).toEqual({
      kind: "federated",
      tokenFile: files.token,
      setting: "ENTRA_CLIENT_ASSERTION_FILE",
    });
    expect(loadConfig({ ...base, ENTRA_MANAGED_IDENTITY: "System" }).credentials).toEqual({
      kind: "managed_identity",
      clientId: undefined,
    });
    expect(
      loadConfig({ ...base, ENTRA_MANAGED_IDENTITY: "00000000-0000-0000-0000-0000000000AB" })
        .credentials,
    ).toEqual({ kind: "managed_identity", clientId: "00000000-0000-0000-0000-0000000000ab" });
  });

  it("uses AKS's AZURE_FEDERATED_TOKEN_FILE only when no credential is set", () => {
    expect(loadConfig({ ...base, AZURE_FEDERATED_TOKEN_FILE: files.token }).credentials).toEqual({
      kind: "federated",
      tokenFile: files.token,
      setting: "AZURE_FEDERATED_TOKEN_FILE",
    });
    expect(
      loadConfig({
        ...base,
        AZURE_FEDERATED_TOKEN_FILE: files.token,
        ENTRA_CLIENT_SECRET: "dev-only-secret",
      }).credentials.kind,
    ).toBe("secret");
  });

  it("requires exactly one kind of credential", () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(
        /^A client credential is required: ENTRA_CLIENT_SECRET .* ENTRA_MANAGED_IDENTITY/,
      ),
    ]);
    expect(
      problemsOf({ ENTRA_CLIENT_SECRET: "dev-only-secret", ENTRA_CLIENT_CERTIFICATE: files.good }),
    ).toEqual([
      "Set exactly one client credential; found ENTRA_CLIENT_SECRET and ENTRA_CLIENT_CERTIFICATE. Keep the one you registered in Entra ID and remove the others.",
    ]);
    expect(
      problemsOf({ ENTRA_CLIENT_ASSERTION_FILE: files.token, ENTRA_MANAGED_IDENTITY: "system" }),
    ).toHaveLength(1);
  });

  it("names what is wrong with a certificate file", () => {
    const cases: [string, RegExp][] = [
      [folder.path("missing.pem"), /missing\.pem cannot be read: no such file\.$/],
      [files.certOnly, /holds no private key/],
      [files.otherKey, /the private key does not belong to the certificate\.$/],
      [files.encrypted, /holds an encrypted private key/],
      [files.ec, /holds a key of type EC; Entra ID accepts RSA certificates only\.$/],
    ];
    for (const [file, message] of cases) {
      const problems = problemsOf({ ENTRA_CLIENT_CERTIFICATE: file });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^ENTRA_CLIENT_CERTIFICATE: /);
      expect(problems[0]).toMatch(message);
    }
  });

  it("names what is wrong with the other settings", () => {
    expect(problemsOf({ ENTRA_CLIENT_ASSERTION_FILE: folder.path("nope") })).toEqual([
      `ENTRA_CLIENT_ASSERTION_FILE "${folder.path("nope")}" does not exist; it must name the file your platform writes the federated token to.`,
    ]);
    expect(problemsOf({ ENTRA_MANAGED_IDENTITY: "my-identity" })[0]).toMatch(
      /^ENTRA_MANAGED_IDENTITY must be "system" or a user-assigned managed identity's client id/,
    );
    expect(problemsOf({ ENTRA_CLIENT_SECRET: "a,,b" })).toEqual([
      "ENTRA_CLIENT_SECRET entry 2 is empty.",
    ]);
    expect(
      problemsOf({
        ENTRA_CLIENT_SECRET: "dev-only-secret",
        ENTRA_CLIENT_SECRET_EXPIRES: "12/29/2025",
      })[0],
    ).toMatch(/^ENTRA_CLIENT_SECRET_EXPIRES entry 1 must be an ISO 8601 date/);
    expect(
      problemsOf({
        ENTRA_CLIENT_SECRET: "dev-only-secret",
        ENTRA_CLIENT_SECRET_EXPIRES: "2027-01-01,2027-02-01",
      })[0],
    ).toMatch(/names 2 dates for 1 secret/);
    expect(
      problemsOf({ ENTRA_MANAGED_IDENTITY: "system", ENTRA_CLIENT_SECRET_EXPIRES: "2027-01-01" }),
    ).toEqual(["ENTRA_CLIENT_SECRET_EXPIRES is set but ENTRA_CLIENT_SECRET is not."]);
  });
});
