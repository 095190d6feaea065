// Admin-consent onboarding in Chromium: a customer's administrator opens /admin-consent,
// names their organization, accepts at the emulator's admin prompt for the whole tenant, and
// comes back to the page's outcome; a non-admin is told only an administrator can.
import { defaultApiPermissions, type Emulator, fabrikamTenant } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { browserAvailability } from "./fixtures/browser.ts";
import type { ProductionBff } from "./fixtures/production-bff.ts";
import { type Stack, screenshots, startStack } from "./fixtures/stack.ts";
import { unexpectedProblems } from "./fixtures/watched-page.ts";

const availability = browserAvailability();
if (availability.skip) console.warn(`Skipping the browser test: ${availability.reason}`);

describe.skipIf(availability.skip)("admin consent in Chromium", () => {
  let stack: Stack;
  let emulator: Emulator;
  let bff: ProductionBff;

  beforeAll(async () => {
    stack = await startStack({
      clientId: "00000000-0000-0000-0000-00000000e2e4",
      tenants: [fabrikamTenant],
      registration: {
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [
          "http://localhost/auth/callback",
          "http://localhost/auth/admin-consent/callback",
        ],
      },
    });
    ({ emulator, bff } = stack);
    const registration = emulator.clients[0]!;
    registration.apiPermissions = defaultApiPermissions(emulator.apis[0]!);
  });
  afterAll(() => stack?.close());

  const fabrikam = () => emulator.tenants.find((t) => t.tenantId === fabrikamTenant.tenantId)!;

  async function startConsent(tenant: string) {
    const { page } = await stack.openPage();
    await page.goto(`${bff.origin}/admin-consent`);
    await page.getByRole("textbox", { name: "Tenant ID or domain" }).fill(tenant);
    await page.getByRole("button", { name: "Continue to Microsoft" }).click();
    await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
    return page;
  }

  test("an administrator grants consent for the organization and sees it granted", async () => {
    const admin =
      fabrikam().users.find((u) => fabrikam().admins?.includes(u.userPrincipalName)) ??
      fabrikam().users[0]!;
    const page = await startConsent(fabrikamTenant.domain ?? fabrikamTenant.tenantId);

    await page.getByRole("button", { name: new RegExp(admin.displayName) }).click();
    await page.getByRole("heading", { name: /accept for your organization/ }).waitFor();
    await page.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL((url) => url.origin === bff.origin);

    const url = new URL(page.url());
    expect(url.pathname).toBe("/admin-consent");
    expect(url.searchParams.get("result")).toBe("granted");
    const heading = page.getByRole("heading", { level: 2, name: "Admin consent granted" });
    await heading.waitFor();
    expect(await page.locator(".notice--success").textContent()).toContain(fabrikamTenant.tenantId);
    await page.screenshot({ path: `${screenshots}/admin-consent-granted.png`, fullPage: true });
    expect(
      emulator.consents.listTenant({ tenant: fabrikamTenant.tenantId }).length,
    ).toBeGreaterThan(0);
  });

  test("someone who is not an administrator is told only an administrator can", async () => {
    const member = fabrikam().users.find((u) => !fabrikam().admins.includes(u.oid))!;
    const page = await startConsent(fabrikamTenant.tenantId);

    await page.getByRole("button", { name: new RegExp(member.displayName) }).click();
    await page.getByRole("heading", { name: "Need admin approval" }).waitFor();
    await page.getByRole("button", { name: /return to the application/i }).click();
    await page.waitForURL((url) => url.origin === bff.origin);

    const alert = page.getByRole("alert");
    await alert.getByRole("heading", { name: "Admin consent was not granted" }).waitFor();
    expect(await alert.textContent()).toContain("Only an administrator can grant consent");
    expect(await alert.textContent()).toContain("Error code: access_denied");
  });

  test("no browser errors", () => {
    expect(unexpectedProblems(stack.problems)).toEqual([]);
  });
});
