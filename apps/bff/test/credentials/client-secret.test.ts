// Client secrets: several, newest first; an expired or revoked one is skipped (logged and
// counted, never shown to the user); expiry as a metric, in /readyz and warned in the log.
import { afterEach, describe, expect, it } from "vitest";
import { CookieJar, json, signIn } from "../helpers/bff.ts";
import {
  type CredentialStack,
  logged,
  metric,
  registration,
  renewAndReadProfile,
  signInAndReadProfile,
  startStack,
} from "./stack.ts";

const dayMs = 86_400_000;
let stack: CredentialStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

// Each test starts an emulator and a BFF: allow for a loaded machine.
describe("client secrets", { timeout: 30_000 }, () => {
  it("signs in and renews with a secret", async () => {
    stack = await startStack(registration({ secrets: [{ value: "dev-only-secret-a" }] }), {
      ENTRA_CLIENT_SECRET: "dev-only-secret-a",
    });
    const jar = await signInAndReadProfile(stack);
    await renewAndReadProfile(stack, jar);
    expect(logged(stack.bff, "refused the client credential")).toEqual([]);
  });

  it("falls back from an expired secret to the next: logged, counted, unseen by the user", async () => {
    const now = Date.now();
    stack = await startStack(
      registration({
        secrets: [
          { value: "dev-only-expired", expiresAt: new Date(now - dayMs).toISOString() },
          { value: "dev-only-current" },
        ],
      }),
      { ENTRA_CLIENT_SECRET: "dev-only-expired,dev-only-current" },
    );
    const jar = await signInAndReadProfile(stack);

    const [fallback] = logged(stack.bff, "refused the client credential");
    expect(fallback).toMatchObject({
      level: 40,
      credential: "client secret 1 of 2",
      next: "client secret 2 of 2",
      aadsts: "AADSTS7000222",
    });
    const series = 'entra_bff_credential_fallbacks_total{kind="secret",code="AADSTS7000222"}';
    expect(metric(stack.bff, series)).toBe(1);

    // The secret that works is used from now on: renewal costs no failed request.
    await renewAndReadProfile(stack, jar);
    expect(metric(stack.bff, series)).toBe(1);
    const ready = json<{ credentials: { index: number; active: boolean }[] }>(
      await stack.bff.request(undefined, { url: "/readyz" }),
    );
    expect(ready.credentials.map((c) => [c.index, c.active])).toEqual([
      [1, false],
      [2, true],
    ]);
    // Neither secret is ever written to the log.
    expect(stack.bff.logs.join("\n")).not.toMatch(/dev-only-(expired|current)/);
  });

  it("falls back from a revoked (unknown) secret with AADSTS7000215", async () => {
    stack = await startStack(registration({ secrets: [{ value: "dev-only-kept" }] }), {
      ENTRA_CLIENT_SECRET: "dev-only-deleted-in-entra,dev-only-kept",
    });
    await signInAndReadProfile(stack);
    expect(
      metric(stack.bff, 'entra_bff_credential_fallbacks_total{kind="secret",code="AADSTS7000215"}'),
    ).toBe(1);
  });

  it("fails the sign-in, logged as an error, when every secret is refused", async () => {
    stack = await startStack(registration({ secrets: [{ value: "dev-only-registered" }] }), {
      ENTRA_CLIENT_SECRET: "dev-only-wrong-1,dev-only-wrong-2",
    });
    const callback = await signIn(stack.bff, new CookieJar(), 0);
    expect(callback.headers.location).toBe(
      "http://localhost:3000/?authError=code_redemption_failed",
    );
    expect(logged(stack.bff, "refused every configured client credential")).toMatchObject([
      { level: 50, aadsts: "AADSTS7000215" },
    ]);
  });

  it("exports ENTRA_CLIENT_SECRET_EXPIRES, shows it in /readyz and warns from 30 days before", async () => {
    const now = Date.now();
    const expiresAt = new Date(now + 40 * dayMs);
    stack = await startStack(registration({ secrets: [{ value: "dev-only-secret" }] }), {
      ENTRA_CLIENT_SECRET: "dev-only-secret",
      ENTRA_CLIENT_SECRET_EXPIRES: expiresAt.toISOString(),
    });
    const { bff, clock } = stack;
    expect(
      metric(bff, 'entra_bff_credential_expiry_timestamp_seconds{kind="secret",index="1"}'),
    ).toBe(Math.floor(expiresAt.getTime() / 1000));
    const readyz = async () => {
      const response = await bff.request(undefined, { url: "/readyz" });
      expect(response.statusCode).toBe(200);
      return json<{ credentials: Record<string, unknown>[] }>(response).credentials[0];
    };
    expect(await readyz()).toEqual({
      kind: "secret",
      index: 1,
      active: true,
      expiresAt: expiresAt.toISOString(),
      expiry: "ok",
    });
    expect(logged(bff, "client credential expires")).toEqual([]);

    clock.advance(15 * dayMs);
    expect(await readyz()).toMatchObject({ expiry: "expiring" });
    const [warning] = logged(bff, "client credential expires in 25 day(s)");
    expect(warning).toMatchObject({
      level: 40,
      credential: "client secret",
      expiresAt: expiresAt.toISOString(),
    });
    // Once a day, not at every probe.
    await readyz();
    expect(logged(bff, "client credential expires")).toHaveLength(1);
    clock.advance(dayMs);
    await readyz();
    expect(logged(bff, "client credential expires")).toHaveLength(2);

    clock.advance(30 * dayMs);
    expect(await readyz()).toMatchObject({ expiry: "expired" });
    expect(logged(bff, "client credential has expired")).toMatchObject([{ level: 50 }]);
  });

  it("warns at start-up of a secret that expires within 30 days", async () => {
    stack = await startStack(registration({ secrets: [{ value: "dev-only-secret" }] }), {
      ENTRA_CLIENT_SECRET: "dev-only-secret",
      ENTRA_CLIENT_SECRET_EXPIRES: new Date(Date.now() + 10 * dayMs + 3600_000).toISOString(),
    });
    expect(logged(stack.bff, "client credential expires in 11 day(s)")).toHaveLength(1);
    expect(logged(stack.bff, "client credential: secret")).toHaveLength(1);
  });
});
