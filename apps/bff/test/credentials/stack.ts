// One emulator and one BFF on one clock, signing in with the client credential a test
// configures (no client secret unless the test gives one), plus files that rotate.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ClientRegistration,
  createEmulator,
  defaultClient,
  type Emulator,
  type EmulatorOptions,
} from "@entra-bff/entra-emulator";
import { expect } from "vitest";
import {
  bffTestEmulator,
  CookieJar,
  csrf,
  signIn,
  startBff,
  type TestBff,
  type TestClock,
  testClock,
} from "../helpers/bff.ts";

export interface CredentialStack {
  emulator: Emulator;
  bff: TestBff;
  clock: TestClock;
  /** The BFF's registration in the emulator (mutable: change its credentials at run time). */
  app: ClientRegistration;
  close(): Promise<void>;
}

/** The dev registration without its secret: the test adds the credentials it trusts. */
export function registration(credentials: Partial<ClientRegistration>): ClientRegistration {
  const { clientSecret: _secret, ...rest } = defaultClient;
  return { ...rest, ...credentials };
}

export async function startStack(
  app: ClientRegistration,
  env: Record<string, string | undefined>,
  options: { emulator?: EmulatorOptions; clock?: TestClock } = {},
): Promise<CredentialStack> {
  const clock = options.clock ?? testClock();
  const emulator = await createEmulator({
    ...bffTestEmulator,
    now: () => clock.now,
    clients: [app],
    ...options.emulator,
  });
  try {
    const bff = await startBff(
      emulator,
      { ENTRA_CLIENT_ID: app.clientId, ENTRA_CLIENT_SECRET: undefined, ...env },
      { clock },
    );
    return {
      emulator,
      bff,
      clock,
      app,
      async close() {
        await bff.close();
        await emulator.close();
      },
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

/** Signs Adele in and reads /api/me: the code redemption presented the credential. */
export async function signInAndReadProfile(stack: CredentialStack): Promise<CookieJar> {
  const jar = new CookieJar();
  const callback = await signIn(stack.bff, jar, 0);
  expect(callback.statusCode).toBe(303);
  expect(callback.headers.location).toBe("http://localhost:3000/");
  const me = await stack.bff.request(jar, { url: "/api/me", headers: csrf });
  expect(me.statusCode).toBe(200);
  return jar;
}

/** Moves both clocks past the access token's expiry; /api/me then renews with the credential. */
export async function renewAndReadProfile(stack: CredentialStack, jar: CookieJar): Promise<void> {
  const before = renewals(stack.bff, "success");
  stack.clock.advance(3600_000);
  const me = await stack.bff.request(jar, { url: "/api/me", headers: csrf });
  expect(me.statusCode).toBe(200);
  expect(renewals(stack.bff, "success")).toBe(before + 1);
}

export function renewals(bff: TestBff, outcome: "success" | "failure"): number {
  const line = bff.app.metrics
    .render()
    .split("\n")
    .find((l) => l.startsWith(`entra_bff_token_renewals_total{outcome="${outcome}"}`));
  return Number(line?.split(" ")[1] ?? 0);
}

/** The value of one series in the metrics text, or undefined. */
export function metric(bff: TestBff, series: string): number | undefined {
  const line = bff.app.metrics
    .render()
    .split("\n")
    .find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Log lines (parsed) whose `msg` contains `text`. */
export function logged(bff: TestBff, text: string): Record<string, unknown>[] {
  return bff.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => String(entry.msg ?? "").includes(text));
}

/** A temporary folder for credential files, removed by `remove()`. */
export function credentialFolder() {
  const dir = mkdtempSync(join(tmpdir(), "entra-bff-credentials-"));
  return {
    path: (name: string) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Replaces a file the way Kubernetes updates a mounted secret or projected token: write
 * aside, then rename over it, so a reader never sees half a file.
 */
export function replaceFile(path: string, content: string): void {
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, content, { mode: 0o600 });
  renameSync(aside, path);
}
