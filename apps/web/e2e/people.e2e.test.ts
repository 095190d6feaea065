// People in Chromium, against the production build, the Entra ID emulator's Graph directory
// and the repo's declared APIs: sign in, consent to User.ReadBasic.All when People first
// needs it, search, open a person, photos, back and forward, a deep link through sign-in.
import type { Emulator } from "@entra-bff/entra-emulator";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { browserAvailability } from "./fixtures/browser.ts";
import type { ProductionBff } from "./fixtures/production-bff.ts";
import { signIn } from "./fixtures/sign-in.ts";
import { type Stack, screenshots, startStack } from "./fixtures/stack.ts";
import { jwtPattern } from "./fixtures/token-watch.ts";
import { unexpectedProblems } from "./fixtures/watched-page.ts";

const availability = browserAvailability();
if (availability.skip) console.warn(`Skipping the browser test: ${availability.reason}`);

describe.skipIf(availability.skip)("People in Chromium", () => {
  let stack: Stack;
  let emulator: Emulator;
  let bff: ProductionBff;

  beforeAll(async () => {
    stack = await startStack({ clientId: "00000000-0000-0000-0000-00000000e2e2" });
    ({ emulator, bff } = stack);
  });
  afterAll(() => stack?.close());

  const pathOf = (page: Page) => {
    const url = new URL(page.url());
    return `${url.pathname}${url.search}${url.hash}`;
  };
  const person = (displayName: string) => {
    const found = emulator.users.find((user) => user.displayName === displayName);
    if (!found) throw new Error(`${displayName} is not in the emulator's directory.`);
    return found;
  };
  /** Every avatar photo on the page has loaded as an image from a blob: URL. */
  const photosShown = (page: Page, scope: string) =>
    page
      .locator(`${scope} .avatar img`)
      .evaluateAll((images) =>
        images.filter(
          (img) =>
            img instanceof HTMLImageElement &&
            img.src.startsWith("blob:") &&
            img.complete &&
            img.naturalWidth > 0,
        ),
      )
      .then((loaded) => loaded.length);

  test("sign in, consent when People first needs it, search, open a person, back and forward", async () => {
    const adele = person("Adele Vance");
    const henrietta = person("Henrietta Mueller");
    const { page, watch } = await stack.openPage();

    await page.goto(`${bff.origin}/people`);
    // Signed in and back on /people, which needs User.ReadBasic.All: the SPA asks for it.
    const scopes = await signIn(
      page,
      emulator,
      bff.origin,
      adele.displayName,
      () => page.getByRole("link", { name: "Sign in with Microsoft" }).click(),
      { consent: true },
    );
    expect(scopes).toContain("User.ReadBasic.All");
    expect(pathOf(page)).toBe("/people");
    expect(emulator.consents.list({ user: adele.userPrincipalName })[0]?.scopes).toContain(
      "User.ReadBasic.All",
    );

    // Everyone, by name, with photos.
    const everyone = page.getByRole("list", { name: "Everyone" });
    await everyone.waitFor();
    await expect
      .poll(() =>
        page
          .getByRole("status")
          .filter({ hasText: /Showing \d+ of \d+ people/ })
          .count(),
      )
      .toBe(1);
    await expect.poll(() => photosShown(page, "#people-results")).toBeGreaterThan(3);

    // Search as you type: the list and the URL follow.
    await page.getByRole("searchbox", { name: "Search by name" }).pressSequentially("henr");
    const results = page.getByRole("list", { name: "People matching henr" });
    await results.waitFor();
    await expect.poll(() => pathOf(page)).toBe("/people?q=henr");
    await expect.poll(() => results.getByRole("link").count()).toBe(1);
    await expect.poll(() => photosShown(page, "#people-results")).toBe(1);
    await page.screenshot({ path: `${screenshots}/people-search.png`, fullPage: true });

    // The person's card, on its own URL.
    await results.getByRole("link", { name: new RegExp(henrietta.displayName) }).click();
    await page.getByRole("heading", { level: 1, name: henrietta.displayName }).waitFor();
    expect(pathOf(page)).toBe(`/people/${henrietta.oid}`);
    const card = page.getByRole("region", { name: "Contact card" });
    await card.getByText(henrietta.userPrincipalName).first().waitFor();
    await expect.poll(() => photosShown(page, ".person")).toBe(1);
    await page.screenshot({ path: `${screenshots}/person-card.png`, fullPage: true });

    // Back to the results (the search kept), forward to the card again.
    await page.goBack();
    await results.waitFor();
    expect(pathOf(page)).toBe("/people?q=henr");
    expect(await page.getByRole("searchbox", { name: "Search by name" }).inputValue()).toBe("henr");
    await page.goForward();
    await page.getByRole("heading", { level: 1, name: henrietta.displayName }).waitFor();

    // A reload of the card is a page load of its URL: the same card.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: henrietta.displayName }).waitFor();

    // The signed-in user's own photo in the header (from /me/photo/$value).
    await page.goto(`${bff.origin}/`);
    await expect.poll(() => photosShown(page, ".topbar")).toBe(1);
    expect(await watch.leaks()).toEqual([]);
  });

  test("a deep link to a person survives sign-in and consent", async () => {
    const alex = person("Alex Wilber");
    const lidia = person("Lidia Holloway");
    const { page, watch } = await stack.openPage();

    await page.goto(`${bff.origin}/people/${lidia.oid}#contact`);
    await signIn(
      page,
      emulator,
      bff.origin,
      alex.displayName,
      () => page.getByRole("link", { name: "Sign in with Microsoft" }).click(),
      { consent: true },
    );

    expect(pathOf(page)).toBe(`/people/${lidia.oid}#contact`);
    await page.getByRole("heading", { level: 1, name: lidia.displayName }).waitFor();
    await page
      .getByRole("region", { name: "Contact card" })
      .getByText(lidia.userPrincipalName)
      .first()
      .waitFor();
    expect(await watch.leaks()).toEqual([]);
  });

  test("an unknown page is the SPA's 'page not found', not the server's JSON", async () => {
    const { page } = await stack.openPage();
    const response = await page.goto(`${bff.origin}/no/such/page`);
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
  });

  test("no token in any BFF log line, and no browser errors", () => {
    expect(bff.output.filter((line) => jwtPattern.test(line))).toEqual([]);
    expect(unexpectedProblems(stack.problems)).toEqual([]);
  });
});
