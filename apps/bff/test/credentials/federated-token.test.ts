// Workload identity federation: a token file another issuer (Kubernetes) keeps fresh, re-read
// when it changes; AKS's AZURE_FEDERATED_TOKEN_FILE as the default.
import { rmSync, writeFileSync } from "node:fs";
import { type FederatedIssuer, tokenExchangeAudience } from "@entra-bff/entra-emulator";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CookieJar, csrf, json, signIn } from "../helpers/bff.ts";
import {
  type CredentialStack,
  credentialFolder,
  registration,
  renewAndReadProfile,
  replaceFile,
  signInAndReadProfile,
  startStack,
} from "./stack.ts";

const subject = "system:serviceaccount:prod:entra-bff";
const folder = credentialFolder();
let stack: CredentialStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});
afterAll(() => folder.remove());

/**
 * The emulator hosts the cluster's issuer, whose URL is known once it listens; the BFF
 * needs the file to exist at start. So: a placeholder, start, then the issuer's token.
 * The app trusts `subjects` of that issuer.
 */
async function startStackWith(
  app: ReturnType<typeof registration>,
  file: string,
  env: Record<string, string>,
  subjects: string[],
) {
  writeFileSync(file, "placeholder", { mode: 0o644 });
  const started = await startStack(app, env);
  const issuer = started.emulator.federatedIssuer("aks");
  app.federatedCredentials = subjects.map((s) => ({ issuer: issuer.issuer, subject: s }));
  replaceFile(file, await issuer.mint({ subject }));
  return { stack: started, issuer };
}

// Each test starts an emulator and a BFF: allow for a loaded machine.
describe("federated token file", { timeout: 30_000 }, () => {
  it("signs in and renews with the token in ENTRA_CLIENT_ASSERTION_FILE", async () => {
    const file = folder.path("token");
    ({ stack } = await startStackWith(
      registration({}),
      file,
      { ENTRA_CLIENT_ASSERTION_FILE: file },
      [subject],
    ));
    const jar = await signInAndReadProfile(stack);
    await renewAndReadProfile(stack, jar);
    const ready = json<{ credentials: unknown[] }>(
      await stack.bff.request(undefined, { url: "/readyz" }),
    );
    expect(ready.credentials).toEqual([
      { kind: "federated", index: 1, active: true, expiry: "short_lived" },
    ]);
  });

  it("reads a rotated token file without a restart", async () => {
    const file = folder.path("rotating-token");
    let issuer: FederatedIssuer;
    ({ stack, issuer } = await startStackWith(
      registration({}),
      file,
      { ENTRA_CLIENT_ASSERTION_FILE: file },
      [subject, `${subject}-v2`],
    ));
    const jar = await signInAndReadProfile(stack);
    // Kubernetes replaces the projected token; the first one is no longer trusted.
    replaceFile(file, await issuer.mint({ subject: `${subject}-v2` }));
    stack.app.federatedCredentials = [{ issuer: issuer.issuer, subject: `${subject}-v2` }];
    await renewAndReadProfile(stack, jar);
    // And the issuer rotates its signing key with the next token.
    await issuer.rotateKey();
    stack.clock.advance(1000);
    replaceFile(
      file,
      await issuer.mint({ subject: `${subject}-v2`, audience: tokenExchangeAudience }),
    );
    await renewAndReadProfile(stack, jar);
  });

  it("uses AKS's AZURE_FEDERATED_TOKEN_FILE when no credential is set", async () => {
    const file = folder.path("aks-token");
    ({ stack } = await startStackWith(
      registration({}),
      file,
      { AZURE_FEDERATED_TOKEN_FILE: file },
      [subject],
    ));
    await signInAndReadProfile(stack);
  });

  it("answers 503 idp_unavailable, not a failed sign-in forever, while the file is missing", async () => {
    const file = folder.path("vanishing-token");
    ({ stack } = await startStackWith(
      registration({}),
      file,
      { ENTRA_CLIENT_ASSERTION_FILE: file },
      [subject],
    ));
    const jar = await signInAndReadProfile(stack);
    rmSync(file);
    stack.clock.advance(3600_000);
    const me = await stack.bff.request(jar, { url: "/api/me", headers: csrf });
    expect(me.statusCode).toBe(503);
    expect(json(me)).toMatchObject({ code: "idp_unavailable" });
    const callback = await signIn(stack.bff, new CookieJar(), 0);
    expect(callback.headers.location).toBe("http://localhost:3000/?authError=idp_unavailable");
    expect(stack.bff.logs.join("\n")).toContain(`the federated token file ${file} cannot be read`);
  });
});
