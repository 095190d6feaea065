// Sign in, see the profile, keep the session, follow a deep link, sign out, and fail a
// sign-in — in Chromium, against the production build and the Entra ID emulator.
import type { Emulator } from "@entra-bff/entra-emulator";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { browserAvailability } from "./fixtures/browser.ts";
import type { ProductionBff } from "./fixtures/production-bff.ts";
import { type Stack, screenshots, startStack } from "./fixtures/stack.ts";
import { jwtPattern } from "./fixtures/token-watch.ts";
import { reportProblems, unexpectedProblems } from "./fixtures/watched-page.ts";

const availability = browserAvailability();
if (availability.skip) console.warn(`Skipping the browser test: ${availability.reason}`);

describe.skipIf(availability.skip)("signing in with Microsoft in Chromium", () => {
  let stack: Stack;
  let emulator: Emulator;
  let bff: ProductionBff;

  beforeAll(async () => {
    stack = await startStack({ clientId: "00000000-0000-0000-0000-00000000e2e0" });
    ({ emulator, bff } = stack);
  });
  afterAll(() => stack?.close());

  const openPage = () => stack.openPage();

  async function signInAt(page: Page, displayName: string): Promise<void> {
    await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
    await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
    await page.getByRole("button", { name: new RegExp(displayName) }).click();
    await page.waitForURL((url) => url.origin === bff.origin);
  }

  async function expectSignedIn(page: Page, firstName: string, jobTitle: string) {
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toBe(`Welcome, ${firstName}`);
    await page.locator(".profile__title", { hasText: jobTitle }).waitFor();
  }

  async function expectSignedOut(page: Page) {
    await page
      .getByRole("heading", { level: 1, name: "Your work profile, in one place" })
      .waitFor();
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
  }

  test("sign in, profile, reload, sign out, and a cancelled sign-in", async () => {
    const [adele] = emulator.users;
    const { page, context, watch } = await openPage();

    // Signed out, with the security headers on the document.
    const landing = await page.goto(`${bff.origin}/`);
    expect(landing?.status()).toBe(200);
    const headers = await landing!.allHeaders();
    expect(headers["content-security-policy"]).toContain("script-src 'self'");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["cache-control"]).toBe("no-store");
    await expectSignedOut(page);
    await page.screenshot({ path: `${screenshots}/signed-out.png`, fullPage: true });

    // Sign in as the first test user: back on the SPA with the Graph profile.
    await signInAt(page, adele!.displayName);
    expect(new URL(page.url()).pathname).toBe("/");
    await expectSignedIn(page, adele!.givenName, adele!.jobTitle!);
    await page.getByText(adele!.userPrincipalName).first().waitFor();
    await page.screenshot({ path: `${screenshots}/signed-in.png`, fullPage: true });

    // Session cookies exist, and page JavaScript can read none of them.
    const cookies = await context.cookies(bff.origin);
    expect(cookies.length).toBeGreaterThan(0);
    expect(cookies.filter((cookie) => !cookie.httpOnly).map((cookie) => cookie.name)).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe("");

    // A reload keeps the session.
    await page.reload();
    await expectSignedIn(page, adele!.givenName, adele!.jobTitle!);

    // Sign out: the BFF, then the emulator's end-session page, then back here signed out.
    // Waited for from before the click: with no front-channel frames to load, that page
    // moves on at once, and may be gone by the time the click returns.
    const reachedEndSession = page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
    await page.getByRole("button", { name: "Sign out" }).click();
    await reachedEndSession;
    await page.waitForURL((url) => url.origin === bff.origin, { timeout: 15_000 });
    await expectSignedOut(page);
    expect(await context.cookies(bff.origin)).toEqual([]);
    const me = await page.evaluate(async () => {
      const response = await fetch("/api/me", { headers: { "x-csrf": "1" } });
      return { status: response.status, body: await response.json() };
    });
    expect(me).toMatchObject({ status: 401, body: { code: "not_authenticated" } });

    // Cancel at the identity provider: a neutral note (no error code) and one way to sign in.
    await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
    await page.waitForURL((url) => url.href.startsWith(emulator.browserUrl));
    await page.getByRole("button", { name: /cancel/i }).click();
    await page.waitForURL((url) => url.origin === bff.origin);
    const note = page.getByRole("status").filter({ hasText: "Sign-in was cancelled" });
    await note.waitFor();
    expect(await note.textContent()).not.toContain("access_denied");
    expect(await page.getByRole("alert").count()).toBe(0);
    const signIns = page.getByRole("link", { name: /sign in|try again/i });
    expect(await signIns.count()).toBe(1);
    expect(await signIns.getAttribute("href")).toBe("/auth/login?returnTo=%2F");
    // The page's title first, then the note, which has the focus.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe("Sign-in was cancelled");
    // The error code left the address bar: a reload does not show it again.
    expect(new URL(page.url()).search).toBe("");
    await page.screenshot({ path: `${screenshots}/sign-in-error.png`, fullPage: true });

    expect(await watch.leaks()).toEqual([]);
  });

  test("a deep link survives sign-in, #fragment included", async () => {
    const alex = emulator.users[1]!;
    const { page, watch } = await openPage();

    await page.goto(`${bff.origin}/?view=full#session`);
    await expectSignedOut(page);
    expect(
      await page.getByRole("link", { name: "Sign in with Microsoft" }).getAttribute("href"),
    ).toBe("/auth/login?returnTo=%2F%3Fview%3Dfull%23session");

    await signInAt(page, alex.displayName);

    const landed = new URL(page.url());
    expect(`${landed.pathname}${landed.search}${landed.hash}`).toBe("/?view=full#session");
    await expectSignedIn(page, alex.givenName, alex.jobTitle!);
    expect(await watch.leaks()).toEqual([]);
  });

  test("sign-in and sign-out in one tab show in the other tab", async () => {
    const adele = emulator.users[0]!;
    const { page: first, context } = await openPage();
    const second = await context.newPage();
    second.setDefaultTimeout(15_000);
    reportProblems(second, stack.problems);
    await second.goto(`${bff.origin}/`);
    await expectSignedOut(second);

    await first.goto(`${bff.origin}/`);
    await signInAt(first, adele.displayName);
    await expectSignedIn(first, adele.givenName, adele.jobTitle!);
    // The second tab is told over the BroadcastChannel; it is never focused or reloaded.
    await expectSignedIn(second, adele.givenName, adele.jobTitle!);

    await first.getByRole("button", { name: "Sign out" }).click();
    // The other tab says why it is signed out now, and signs in again to where it was.
    await second.getByRole("heading", { level: 1, name: "You signed out" }).waitFor();
    expect(await second.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    expect(await second.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe(
      "/auth/login?returnTo=%2F",
    );
  });

  test("no token in any BFF log line, and no browser errors", () => {
    expect(bff.output.length).toBeGreaterThan(0);
    expect(bff.output.filter((line) => jwtPattern.test(line))).toEqual([]);
    // CSP violations and script errors surface here.
    expect(unexpectedProblems(stack.problems)).toEqual([]);
  });
});
