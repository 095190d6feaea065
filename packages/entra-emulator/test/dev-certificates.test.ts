import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, ensureDevCertificates } from "../src/index.ts";

describe("ensureDevCertificates", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "emulator-certs-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const read = async (file: string) => new X509Certificate(await readFile(file));

  it("creates a CA and a localhost server certificate it signed, keys readable by owner only", async () => {
    const files = await ensureDevCertificates({ dir });
    const ca = await read(files.caFile);
    const leaf = await read(files.certFile);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.subjectAltName).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    );
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect((await stat(files.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "ca-key.pem"))).mode & 0o777).toBe(0o600);
  });

  it("reuses existing files, and re-issues only the leaf for a new host name", async () => {
    const first = await ensureDevCertificates({ dir });
    const caPem = await readFile(first.caFile, "utf8");
    const leafPem = await readFile(first.certFile, "utf8");
    await ensureDevCertificates({ dir });
    expect(await readFile(first.certFile, "utf8")).toBe(leafPem);

    await ensureDevCertificates({ dir, hostnames: ["emulator"] });
    expect(await readFile(first.caFile, "utf8")).toBe(caPem);
    const leaf = await read(first.certFile);
    expect(leaf.subjectAltName).toContain("DNS:emulator");
    expect(leaf.verify((await read(first.caFile)).publicKey)).toBe(true);
    // Asking again without the extra name keeps it: other processes may rely on it.
    await ensureDevCertificates({ dir });
    expect((await read(first.certFile)).subjectAltName).toContain("DNS:emulator");
  });

  it("concurrent callers agree on one CA", async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureDevCertificates({ dir })));
    const pems = await Promise.all(results.map((r) => readFile(r.caFile, "utf8")));
    expect(new Set(pems).size).toBe(1);
  });
});

describe("trust through NODE_EXTRA_CA_CERTS", () => {
  it("the vitest config named the dev CA, so https to the emulator needs no insecure switch", async () => {
    const emulator = await createEmulator({ port: 0 });
    try {
      expect(process.env.NODE_EXTRA_CA_CERTS).toBe(emulator.caFile);
      expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
      const response = await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});
