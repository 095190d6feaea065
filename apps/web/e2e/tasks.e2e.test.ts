// Tasks in Chromium, against the production build, the Entra ID emulator and the Tasks API
// (its own process and SQLite database): sign in, consent to Tasks.ReadWrite, add, complete,
// rename and delete, reload and find them kept; another user sees none of them.
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

describe.skipIf(availability.skip)("Tasks in Chromium", () => {
  let stack: Stack;
  let emulator: Emulator;
  let bff: ProductionBff;

  beforeAll(async () => {
    stack = await startStack({ clientId: "00000000-0000-0000-0000-00000000e2e3" });
    ({ emulator, bff } = stack);
  });
  afterAll(() => stack?.close());

  const user = (displayName: string) => {
    const found = emulator.users.find((u) => u.displayName === displayName);
    if (!found) throw new Error(`${displayName} is not an emulator user.`);
    return found;
  };

  /** Signed out at /tasks: sign in, then the consent the Tasks page asks for on first use. */
  async function signInToTasks(page: Page, displayName: string): Promise<string[]> {
    await page.goto(`${bff.origin}/tasks`);
    const scopes = await signIn(
      page,
      emulator,
      bff.origin,
      displayName,
      () => page.getByRole("link", { name: "Sign in with Microsoft" }).click(),
      { consent: true },
    );
    await page.getByRole("heading", { level: 1, name: "Tasks" }).waitFor();
    return scopes;
  }

  const titles = (page: Page) =>
    page.getByRole("list", { name: "Your tasks" }).locator(".task__title").allTextContents();

  test("sign in, consent, add, complete, rename and delete; a reload keeps them", async () => {
    const adele = user("Adele Vance");
    const { page, watch } = await stack.openPage();

    const scopes = await signInToTasks(page, adele.displayName);
    expect(scopes.some((scope) => scope.endsWith("/Tasks.ReadWrite"))).toBe(true);
    await page.getByText("No tasks yet").waitFor();

    const field = page.getByRole("textbox", { name: "New task" });
    for (const title of ["Buy milk", "Call the bank", "Book flights"]) {
      await field.fill(title);
      await field.press("Enter");
      await page.getByRole("checkbox", { name: title }).waitFor();
    }
    await expect.poll(() => page.getByText("Saving…").count()).toBe(0);
    expect(await titles(page)).toEqual(["Buy milk", "Call the bank", "Book flights"]);

    // Complete by keyboard, rename in place, delete.
    await page.getByRole("checkbox", { name: "Buy milk" }).focus();
    await page.keyboard.press("Space");
    await page.getByRole("button", { name: "Rename “Book flights”" }).click();
    const editor = page.getByRole("textbox", { name: "New title for “Book flights”" });
    await editor.fill("Book flights to Oslo");
    await editor.press("Enter");
    await page.getByRole("button", { name: "Delete “Call the bank”" }).click();
    await expect.poll(() => titles(page)).toEqual(["Buy milk", "Book flights to Oslo"]);
    // Adele holds Tasks.Admin: the team summary is there for her.
    const summary = page.getByRole("region", { name: "Team summary" });
    await summary.getByText("People with tasks").waitFor();
    await page.screenshot({ path: `${screenshots}/tasks.png`, fullPage: true });

    // Every change reached the Tasks API: a reload shows them from its database.
    await expect
      .poll(async () =>
        page.evaluate(async () => {
          const response = await fetch("/api/tasks/tasks", { headers: { "x-csrf": "1" } });
          const { tasks } = (await response.json()) as {
            tasks: { title: string; done: boolean }[];
          };
          return tasks.map((t) => `${t.title}:${t.done}`);
        }),
      )
      .toEqual(["Buy milk:true", "Book flights to Oslo:false"]);
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Tasks" }).waitFor();
    await expect.poll(() => titles(page)).toEqual(["Buy milk", "Book flights to Oslo"]);
    expect(await page.getByRole("checkbox", { name: "Buy milk" }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: "Book flights to Oslo" }).isChecked()).toBe(
      false,
    );
    expect(await watch.leaks()).toEqual([]);
  });

  test("a change made in another tab first: the second tab's change is refused with 412 and says so", async () => {
    const adele = user("Adele Vance");
    const { page, context } = await stack.openPage();
    await page.goto(`${bff.origin}/tasks`);
    await signIn(page, emulator, bff.origin, adele.displayName, () =>
      page.getByRole("link", { name: "Sign in with Microsoft" }).click(),
    );
    await page.getByRole("checkbox", { name: "Book flights to Oslo" }).waitFor();

    // The other tab renames the task; this tab still shows the old version.
    const other = await context.newPage();
    await other.goto(`${bff.origin}/tasks`);
    await other.getByRole("button", { name: "Rename “Book flights to Oslo”" }).click();
    const editor = other.getByRole("textbox", { name: "New title for “Book flights to Oslo”" });
    await editor.fill("Book flights to Bergen");
    await editor.press("Enter");
    await expect.poll(() => other.getByText("Saving…").count()).toBe(0);
    await expect
      .poll(() => other.getByRole("checkbox", { name: "Book flights to Bergen" }).count())
      .toBe(1);
    await other.close();

    // click(), not check(): the tick is shown once the list read is held, and the 412 takes it
    // back, so the box's state right after the click is not what this test is about.
    await page.getByRole("checkbox", { name: "Book flights to Oslo" }).click();
    const notice = page.getByRole("alert").filter({ hasText: "Changed in another tab" });
    await notice.waitFor();
    await page.getByRole("checkbox", { name: "Book flights to Bergen" }).waitFor();
    expect(await page.getByRole("checkbox", { name: "Book flights to Bergen" }).isChecked()).toBe(
      false,
    );
  });

  test("another user sees none of them, and no team summary", async () => {
    const alex = user("Alex Wilber");
    const { page, watch } = await stack.openPage();

    await signInToTasks(page, alex.displayName);

    await page.getByText("No tasks yet").waitFor();
    expect(await titles(page)).toEqual([]);
    expect(await page.getByRole("region", { name: "Team summary" }).count()).toBe(0);
    const summary = await page.evaluate(async () => {
      const response = await fetch("/api/tasks-admin/admin/summary", {
        headers: { "x-csrf": "1" },
      });
      return { status: response.status, body: await response.json() };
    });
    expect(summary).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect(await watch.leaks()).toEqual([]);
  });

  test("no token in any log line (BFF and Tasks API), and no browser errors", () => {
    const lines = [...bff.output, ...(stack.tasksApi?.output ?? [])];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => jwtPattern.test(line))).toEqual([]);
    expect(
      unexpectedProblems(stack.problems).filter(
        // The forbidden summary asked for on purpose, and the refused stale change.
        (problem) => !/status of 40[3]\b.*admin\/summary|status of 412/.test(problem),
      ),
    ).toEqual([]);
  });
});
