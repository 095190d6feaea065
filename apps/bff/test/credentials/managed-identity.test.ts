// ENTRA_MANAGED_IDENTITY: the platform's managed identity (here the emulator's App Service
// identity endpoint) gives a token for api://AzureADTokenExchange, which the app
// registration trusts as a federated credential: no secret anywhere.
import type { ManagedIdentity } from "@entra-bff/entra-emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, json, signIn, startBff } from "../helpers/bff.ts";
import {
  type CredentialStack,
  logged,
  registration,
  renewAndReadProfile,
  signInAndReadProfile,
  startStack,
} from "./stack.ts";

const systemAssigned: ManagedIdentity = {
  clientId: "00000000-0000-0000-0000-0000000a5a01",
  principalId: "00000000-0000-0000-0000-0000000a5a02",
  systemAssigned: true,
};
const userAssigned: ManagedIdentity = {
  clientId: "00000000-0000-0000-0000-0000000a5b01",
  principalId: "00000000-0000-0000-0000-0000000a5b02",
};
const app = registration({});
let stack: CredentialStack;

// msal-node picks the managed identity source from the environment once per process, so
// the file shares one emulator (one endpoint) and starts a BFF per test.
beforeAll(async () => {
  stack = await startStack(
    app,
    { ENTRA_MANAGED_IDENTITY: "system" },
    { emulator: { managedIdentities: [systemAssigned, userAssigned] } },
  );
  process.env.IDENTITY_ENDPOINT = stack.emulator.managedIdentity.endpoint;
  process.env.IDENTITY_HEADER = stack.emulator.managedIdentity.header;
});
afterAll(async () => {
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
  await stack?.close();
});
afterEach(() => {
  app.federatedCredentials = [];
});

const entraIssuer = () => `${stack.emulator.url}/${stack.emulator.tenantId}/v2.0`;

describe("managed identity as a federated credential", { timeout: 30_000 }, () => {
  it("signs in and renews with the system-assigned identity", async () => {
    app.federatedCredentials = [{ issuer: entraIssuer(), subject: systemAssigned.principalId }];
    const jar = await signInAndReadProfile(stack);
    await renewAndReadProfile(stack, jar);
    const ready = json<{ credentials: unknown[] }>(
      await stack.bff.request(undefined, { url: "/readyz" }),
    );
    expect(ready.credentials).toEqual([
      { kind: "managed_identity", index: 1, active: true, expiry: "short_lived" },
    ]);
  });

  it("uses the user-assigned identity ENTRA_MANAGED_IDENTITY names", async () => {
    app.federatedCredentials = [{ issuer: entraIssuer(), subject: userAssigned.principalId }];
    const bff = await startBff(
      stack.emulator,
      { ENTRA_CLIENT_SECRET: undefined, ENTRA_MANAGED_IDENTITY: userAssigned.clientId },
      { clock: stack.clock },
    );
    try {
      const user = { ...stack, bff };
      await signInAndReadProfile(user);

      // The registration no longer trusts it: the sign-in fails, and says why in the log.
      app.federatedCredentials = [{ issuer: entraIssuer(), subject: systemAssigned.principalId }];
      const callback = await signIn(bff, new CookieJar(), 0);
      expect(callback.headers.location).toBe(
        "http://localhost:3000/?authError=code_redemption_failed",
      );
      expect(bff.logs.join("\n")).toContain("AADSTS700213");
      expect(logged(bff, "refused the client credential")).toEqual([]);
    } finally {
      await bff.close();
    }
  });
});
