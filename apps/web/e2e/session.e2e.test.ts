// Sessions in Chromium, against the production build and the Entra ID emulator: a CAE claims
// challenge and a lost consent send the user through sign-in and back to the same page
// (without looping); signing out of Entra from elsewhere ends this app's session
// (front-channel logout); the expiry warning and "stay signed in".
import type { Emulator } from "@entra-bff/entra-emulator";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { browserAvailability } from "./fixtures/browser.ts";
import type { ProductionBff } from "./fixtures/production-bff.ts";
import { signIn } from "./fixtures/sign-in.ts";
import { type Stack, screenshots, startStack } from "./fixtures/stack.ts";
import { jwtPattern } from "./fixtures/token-watch.ts";
import { reportProblems, unexpectedProblems } from "./fixtures/watched-page.ts";

const availability = browserAvailability();
if (availability.skip) console.warn(`Skipping the browser test: ${availability.reason}`);

describe.skipIf(availability.skip)("sessions in Chromium", () => {
  let stack: Stack;
  let emulator: Emulator;
  let bff: ProductionBff;
  const defaultTokenLifetime = 3600;

  beforeAll(async () => {
    stack = await startStack({
      clientId: "00000000-0000-0000-0000-00000000e2e1",
      frontchannelLogout: true,
      // Only /api/me: a fault for "the next Graph call" must not be taken by a photo request.
      declaredApis: false,
      bffEnv: { INCREMENTAL_SCOPES: "Calendars.Read" },
    });
    ({ emulator, bff } = stack);
  });
  afterEach(() => {
    emulator.faults.clear();
    emulator.settings.accessTokenLifetimeSeconds = defaultTokenLifetime;
  });
  afterAll(() => stack?.close());

  const openPage = () => stack.openPage();

  /** `start`, then through the emulator's pages (picker unless single sign-on) and back. */
  const signInAs = (
    page: Page,
    displayName: string,
    start: () => Promise<unknown>,
    consent = false,
  ) => signIn(page, emulator, bff.origin, displayName, start, { consent });

  async function expectProfile(page: Page, firstName: string, jobTitle: string) {
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toBe(`Welcome, ${firstName}`);
    await page.locator(".profile__title", { hasText: jobTitle }).waitFor();
  }

  const pathOf = (page: Page) => {
    const url = new URL(page.url());
    return `${url.pathname}${url.search}`;
  };

  test("a claims challenge goes through sign-in and back to the same page; a repeat shows a button, not a loop", async () => {
    const adele = emulator.users[0]!;
    const { page, watch } = await openPage();
    const authorizeRequests: URL[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith("/oauth2/v2.0/authorize") && request.method() === "GET") {
        authorizeRequests.push(url);
      }
    });

    await page.goto(`${bff.origin}/?week=47`);
    await signInAs(page, adele.displayName, () =>
      page.getByRole("link", { name: "Sign in with Microsoft" }).click(),
    );
    expect(pathOf(page)).toBe("/?week=47");
    await expectProfile(page, adele.givenName, adele.jobTitle!);

    // Conditional Access now demands more than a silent renewal can give.
    emulator.faults.add({ target: "graph", kind: "claims_challenge" });
    // The SPA goes to sign-in by itself, with the claims, and comes back to the same page.
    await signInAs(page, adele.displayName, () => page.reload());
    const challenged = authorizeRequests.at(-1)!;
    expect(JSON.parse(challenged.searchParams.get("claims")!)).toHaveProperty("access_token");
    expect(challenged.searchParams.get("login_hint")).toBeTruthy();
    expect(pathOf(page)).toBe("/?week=47");

    // Still challenged right after signing in: no second automatic trip, a button instead.
    const notice = page.getByRole("alert").filter({ hasText: "did not satisfy" });
    await notice.waitFor();
    expect(await notice.textContent()).toContain("Your organization needs you to sign in again");
    const authorizeCount = authorizeRequests.length;
    await page.screenshot({ path: `${screenshots}/claims-challenge-repeated.png`, fullPage: true });

    // The policy is met now: the button completes the round trip.
    emulator.faults.clear();
    await signInAs(page, adele.displayName, () =>
      notice.getByRole("link", { name: "Continue to sign in" }).click(),
    );
    expect(authorizeRequests.length).toBe(authorizeCount + 1);
    expect(pathOf(page)).toBe("/?week=47");
    await expectProfile(page, adele.givenName, adele.jobTitle!);
    expect(await watch.leaks()).toEqual([]);
  });

  test("incremental consent, then consent revoked: Entra's consent prompt and back to the same page", async () => {
    const alex = emulator.users[1]!;
    // Shorter than the BFF's renewal margin: every /api/me renews, asking for every scope.
    emulator.settings.accessTokenLifetimeSeconds = 30;
    const { page, watch } = await openPage();

    await page.goto(
      `${bff.origin}/auth/login?returnTo=%2F%3Fview%3Dcalendar&scopes=Calendars.Read`,
    );
    await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
    await page.getByRole("button", { name: new RegExp(alex.displayName) }).click();
    await page.getByText("Read your calendars").waitFor();
    await page.screenshot({ path: `${screenshots}/consent-prompt.png`, fullPage: true });
    await page.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL((url) => url.origin === bff.origin);
    expect(pathOf(page)).toBe("/?view=calendar");
    await expectProfile(page, alex.givenName, alex.jobTitle!);

    // An administrator revokes the consent: the next renewal needs the user again.
    emulator.consents.revoke(alex.userPrincipalName);
    await signInAs(page, alex.displayName, () => page.reload(), true);
    expect(pathOf(page)).toBe("/?view=calendar");
    await expectProfile(page, alex.givenName, alex.jobTitle!);
    expect(emulator.consents.list({ user: alex.userPrincipalName })[0]?.scopes).toEqual([
      "Calendars.Read",
    ]);
    expect(await watch.leaks()).toEqual([]);
  });

  test("signing out of Entra in another app ends this app's session (front-channel logout)", async () => {
    const adele = emulator.users[0]!;
    const { page, context } = await openPage();
    await page.goto(`${bff.origin}/`);
    await signInAs(page, adele.displayName, () =>
      page.getByRole("link", { name: "Sign in with Microsoft" }).click(),
    );
    await expectProfile(page, adele.givenName, adele.jobTitle!);

    // Another app's sign-out, in another tab: Entra's page loads our logout URL in an iframe.
    const other = await context.newPage();
    reportProblems(other, stack.problems);
    const frontchannel = other.waitForResponse((response) =>
      response.url().startsWith(`${bff.origin}/auth/frontchannel-logout?sid=`),
    );
    await other.goto(`${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/logout`);
    expect((await frontchannel).status()).toBe(200);
    await other.getByRole("heading", { name: "You signed out of your account" }).waitFor();
    // The iframe really rendered: frame-ancestors allowed the emulator's page.
    await expect
      .poll(() => other.frames().some((frame) => frame.url().includes("/auth/frontchannel-logout")))
      .toBe(true);

    await page.bringToFront();
    await page.reload();
    await page
      .getByRole("heading", { level: 1, name: "Your work profile, in one place" })
      .waitFor();
    const me = await page.evaluate(async () => {
      const response = await fetch("/api/me", { headers: { "x-csrf": "1" } });
      return response.status;
    });
    expect(me).toBe(401);
  });

  test("the expiry warning shows shortly before the session ends; 'Stay signed in' extends it", async () => {
    const adele = emulator.users[0]!;
    const shortBff = await stack.startBff({ SESSION_IDLE_MINUTES: "1" });
    try {
      const { page, context } = await openPage();
      // The page's clock runs on its own from now on; the BFF keeps real time.
      await context.clock.install({ time: Date.now() });
      await page.goto(`${shortBff.origin}/`);
      await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
      await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
      await page.getByRole("button", { name: new RegExp(adele.displayName) }).click();
      await page.waitForURL((url) => url.origin === shortBff.origin);
      await expectProfile(page, adele.givenName, adele.jobTitle!);
      const signedInAt = Date.now();

      const warning = page.getByRole("alert").filter({ hasText: "Your session ends at" });
      expect(await warning.count()).toBe(0);
      // Half of the one-minute idle lifetime later (a short session is not announced at once).
      await page.clock.fastForward(35_000);
      await warning.waitFor();
      await page.screenshot({ path: `${screenshots}/session-expiry-warning.png`, fullPage: true });

      // The BFF extends an idle lifetime of one minute at most every 6 s of its own time.
      await page.waitForTimeout(Math.max(0, signedInAt + 7_000 - Date.now()));
      await warning.getByRole("button", { name: "Stay signed in" }).click();
      await expect.poll(() => warning.count(), { interval: 100 }).toBe(0);
    } finally {
      await shortBff.close();
    }
  });

  test("no token in any BFF log line, and no browser errors", () => {
    expect(bff.output.filter((line) => jwtPattern.test(line))).toEqual([]);
    expect(unexpectedProblems(stack.problems)).toEqual([]);
  });
});
