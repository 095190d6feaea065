// Certificate credentials (private_key_jwt with x5t#S256): sign-in and renewal, a rotated
// file picked up without a restart, fallback to the next certificate, expiry.
import { writeFileSync } from "node:fs";
import { type ClientCertificate, createClientCertificate } from "@entra-bff/entra-emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/bff.ts";
import {
  type CredentialStack,
  credentialFolder,
  logged,
  metric,
  registration,
  renewAndReadProfile,
  replaceFile,
  signInAndReadProfile,
  startStack,
} from "./stack.ts";

const dayMs = 86_400_000;
const folder = credentialFolder();
let first: ClientCertificate;
let second: ClientCertificate;
let stack: CredentialStack | undefined;

beforeAll(async () => {
  [first, second] = await Promise.all([createClientCertificate(), createClientCertificate()]);
});
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});
afterAll(() => folder.remove());

// Each test starts an emulator and a BFF: allow for a loaded machine.
describe("client certificates", { timeout: 30_000 }, () => {
  it("signs in and renews with the certificate in ENTRA_CLIENT_CERTIFICATE", async () => {
    const file = folder.path("signin.pem");
    writeFileSync(file, first.pem, { mode: 0o600 });
    stack = await startStack(registration({ certificates: [first.certificate] }), {
      ENTRA_CLIENT_CERTIFICATE: file,
    });
    const jar = await signInAndReadProfile(stack);
    await renewAndReadProfile(stack, jar);
    const ready = json<{ credentials: unknown[] }>(
      await stack.bff.request(undefined, { url: "/readyz" }),
    );
    expect(ready.credentials).toEqual([
      {
        kind: "certificate",
        index: 1,
        active: true,
        thumbprint: first.thumbprintSha1,
        expiresAt: expect.any(String),
        expiry: "ok",
      },
    ]);
    expect(stack.bff.logs.join("\n")).not.toContain("PRIVATE KEY");
  });

  it("picks up a rotated certificate file without a restart", async () => {
    const file = folder.path("rotated.pem");
    writeFileSync(file, first.pem, { mode: 0o600 });
    stack = await startStack(registration({ certificates: [first.certificate] }), {
      ENTRA_CLIENT_CERTIFICATE: file,
    });
    const jar = await signInAndReadProfile(stack);

    // The operator uploads the new certificate, then the secret store replaces the file;
    // once the old one is removed from the registration only the new one works.
    stack.app.certificates = [first.certificate, second.certificate];
    replaceFile(file, second.pem);
    stack.app.certificates = [second.certificate];
    await renewAndReadProfile(stack, jar);
    expect(
      logged(stack.bff, "client certificate file changed: using the new certificate"),
    ).toMatchObject([{ thumbprint: second.thumbprintSha1 }]);
    const ready = json<{ credentials: { thumbprint: string }[] }>(
      await stack.bff.request(undefined, { url: "/readyz" }),
    );
    expect(ready.credentials[0]!.thumbprint).toBe(second.thumbprintSha1);

    // A half-written file is not used: the certificate read before still is.
    writeFileSync(file, second.pem.slice(0, 200));
    await renewAndReadProfile(stack, jar);
    expect(logged(stack.bff, "changed but cannot be used")).toHaveLength(1);
  });

  it("falls back to the next certificate when Entra ID does not know the first", async () => {
    const unknown = folder.path("unknown.pem");
    const known = folder.path("known.pem");
    writeFileSync(unknown, second.pem, { mode: 0o600 });
    writeFileSync(known, first.pem, { mode: 0o600 });
    stack = await startStack(registration({ certificates: [first.certificate] }), {
      ENTRA_CLIENT_CERTIFICATE: `${unknown},${known}`,
    });
    await signInAndReadProfile(stack);
    expect(
      metric(
        stack.bff,
        'entra_bff_credential_fallbacks_total{kind="certificate",code="AADSTS700027"}',
      ),
    ).toBe(1);
    expect(logged(stack.bff, "refused the client credential")).toMatchObject([
      { credential: `certificate 1 (${unknown})`, next: `certificate 2 (${known})` },
    ]);
  });

  it("exports the certificate's notAfter and warns from 30 days before", async () => {
    const notAfter = new Date(Math.floor((Date.now() + 20 * dayMs) / 1000) * 1000);
    const expiring = await createClientCertificate({ notAfter });
    const file = folder.path("expiring.pem");
    writeFileSync(file, expiring.pem, { mode: 0o600 });
    stack = await startStack(registration({ certificates: [expiring.certificate] }), {
      ENTRA_CLIENT_CERTIFICATE: file,
    });
    expect(
      metric(
        stack.bff,
        `entra_bff_credential_expiry_timestamp_seconds{kind="certificate",index="1",thumbprint="${expiring.thumbprintSha1}"}`,
      ),
    ).toBe(notAfter.getTime() / 1000);
    expect(logged(stack.bff, "client credential expires in 20 day(s)")).toMatchObject([
      { level: 40, thumbprint: expiring.thumbprintSha1, expiresAt: notAfter.toISOString() },
    ]);
    const ready = await stack.bff.request(undefined, { url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(json<{ credentials: { expiry: string }[] }>(ready).credentials[0]!.expiry).toBe(
      "expiring",
    );
  });
});
