// Customer sign-in in Chromium, against the production build: Entra External ID's "Create
// account" (self-service sign-up, then signed in) and Azure AD B2C's "Edit profile" (the
// profile editing user flow, then the new name everywhere), with the emulator as each tenant.
import { createEmulator, type Emulator, type TenantKind } from "@entra-bff/entra-emulator";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { browserAvailability, launchChromium } from "./fixtures/browser.ts";
import { assertBuilt, type ProductionBff, startProductionBff } from "./fixtures/production-bff.ts";
import { screenshots } from "./fixtures/stack.ts";
import { openWatchedPage, unexpectedProblems } from "./fixtures/watched-page.ts";

const availability = browserAvailability();
if (availability.skip) console.warn(`Skipping the browser test: ${availability.reason}`);

const client = {
  clientId: "00000000-0000-0000-0000-00000000e2e7",
  clientSecret: "dev-only-e2e-client-secret",
};

interface CustomerStack {
  emulator: Emulator;
  bff: ProductionBff;
  close(): Promise<void>;
}

async function startCustomerStack(
  tenantKind: TenantKind,
  bffEnv: Record<string, string> = {},
): Promise<CustomerStack> {
  assertBuilt();
  const emulator = await createEmulator({
    port: 0,
    httpsPages: process.env.EMULATOR_HTTPS_PAGES === "1",
    tenantKind,
    // Like Entra, an http://localhost redirect URI matches on any port.
    clients: [{ ...client, redirectUris: ["http://localhost/auth/callback"] }],
  });
  try {
    const bff = await startProductionBff({
      ENTRA_AUTHORITY: emulator.authority,
      ENTRA_CLIENT_ID: client.clientId,
      ENTRA_CLIENT_SECRET: client.clientSecret,
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      NODE_EXTRA_CA_CERTS: emulator.caFile,
      // The emulator is on localhost, which names no kind: say it.
      ENTRA_TENANT_KIND: tenantKind,
      ...bffEnv,
    });
    return {
      emulator,
      bff,
      close: async () => {
        await bff.close();
        await emulator.close();
      },
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

describe.skipIf(availability.skip)("customer accounts in Chromium", () => {
  let browser: Browser;
  const problems: string[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  test("External ID: Create account signs the new customer in", async () => {
    const stack = await startCustomerStack("external");
    try {
      const { emulator, bff } = stack;
      const origins = [bff.origin, new URL(emulator.browserUrl).origin];
      const { page, context, watch } = await openWatchedPage(browser, origins, problems);
      await page.goto(`${bff.origin}/`);
      await page.getByRole("heading", { level: 1, name: "Your Contoso account" }).waitFor();

      await page.getByRole("link", { name: "Create account" }).click();
      await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
      await page.getByRole("heading", { name: "Create account" }).waitFor();
      await page.getByLabel("Email address").fill("robin.new@example.com");
      await page.getByLabel("Display name").fill("Robin New");
      await page.getByLabel("Given name").fill("Robin");
      await page.getByLabel("Surname").fill("New");
      await page.getByRole("button", { name: "Create", exact: true }).click();
      await page.waitForURL((url) => url.origin === bff.origin);

      await expect
        .poll(() => page.getByRole("heading", { level: 1 }).textContent())
        .toBe("Welcome, Robin");
      const created = emulator.users.find((u) => u.mail === "robin.new@example.com");
      expect(created?.displayName).toBe("Robin New");
      // Graph has the new customer's profile; customers get no People page.
      await page.locator(".profile__name", { hasText: "Robin New" }).waitFor();
      expect(await page.getByRole("link", { name: "People" }).count()).toBe(0);
      const session = await page.evaluate(async () => (await fetch("/auth/session")).json());
      expect(session).toMatchObject({
        authenticated: true,
        user: { oid: created?.oid, username: "robin.new@example.com" },
        features: { signUp: true, editProfile: false, directory: false },
      });
      await page.screenshot({ path: `${screenshots}/external-id-signed-up.png`, fullPage: true });
      expect(await watch.leaks([client.clientSecret])).toEqual([]);
      await context.close();
    } finally {
      await stack.close();
    }
  });

  test("B2C: Edit profile runs the user flow and shows the new name", async () => {
    const stack = await startCustomerStack("b2c", {
      B2C_PROFILE_EDIT_POLICY: "B2C_1_profile_edit",
      B2C_PASSWORD_RESET_POLICY: "B2C_1_password_reset",
    });
    try {
      const { emulator, bff } = stack;
      const origins = [bff.origin, new URL(emulator.browserUrl).origin];
      const { page, context, watch } = await openWatchedPage(browser, origins, problems);
      await page.goto(`${bff.origin}/`);
      await page.getByRole("link", { name: "Sign in", exact: true }).click();
      await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
      // B2C's sign-up/sign-in page: sign-up and "Forgot your password?" on it.
      await page.getByRole("button", { name: "Forgot your password?" }).waitFor();
      await page.getByRole("button", { name: /Avery Brooks/ }).click();
      await page.waitForURL((url) => url.origin === bff.origin);
      const card = page.getByRole("region", { name: "Profile" });
      await card.locator(".profile__name", { hasText: "Avery Brooks" }).waitFor();
      expect(await card.getByText("From your sign-in").count()).toBe(1);
      expect(await card.getByText("Not set").count()).toBe(0);

      await card.getByRole("link", { name: "Edit profile" }).click();
      await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
      await page.getByRole("heading", { name: "Edit profile" }).waitFor();
      await page.getByLabel("Display name").fill("Avery Q. Brooks");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL((url) => url.origin === bff.origin);

      await card.locator(".profile__name", { hasText: "Avery Q. Brooks" }).waitFor();
      await page.locator(".topbar__name", { hasText: "Avery Q. Brooks" }).waitFor();
      const session = await page.evaluate(async () => (await fetch("/auth/session")).json());
      expect(session.user).toMatchObject({ name: "Avery Q. Brooks" });
      await page.screenshot({ path: `${screenshots}/b2c-profile-edited.png`, fullPage: true });
      expect(await watch.leaks([client.clientSecret])).toEqual([]);
      await context.close();
    } finally {
      await stack.close();
    }
  });

  test("no script or console errors on any page", () => {
    expect(unexpectedProblems(problems)).toEqual([]);
  });
});
