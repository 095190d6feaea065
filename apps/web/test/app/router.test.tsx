import { act, screen, waitFor, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { adele, json, signedInSession, signedOutSession, stubBff } from "../fixtures/fake-bff.ts";
import { graphUsers } from "../fixtures/fake-graph.ts";
import { fakeTasks } from "../fixtures/fake-tasks.ts";
import { renderApp } from "../fixtures/render-app.tsx";

function signedInBff() {
  return stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "GET /api/graph/users": graphUsers,
    ...fakeTasks(["Water the plants"]).routes,
  });
}

const path = () => `${window.location.pathname}${window.location.search}${window.location.hash}`;

test("an unknown path shows a 'page not found' page with a way home, signed in or not", async () => {
  signedInBff();
  const { unmount } = renderApp({ at: "/no/such/page?x=1" });

  expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeTruthy();
  expect(screen.getByRole("link", { name: "Go to the home page" }).getAttribute("href")).toBe("/");
  expect(await screen.findByRole("navigation", { name: "Account" })).toBeTruthy();
  unmount();

  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  renderApp({ at: "/reports/q3" });
  expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeTruthy();
});

test("the main navigation has real URLs; back and forward move between pages", async () => {
  signedInBff();
  const { user, router } = renderApp();
  await screen.findByRole("heading", { level: 1, name: "Welcome, Adele" });
  const nav = screen.getByRole("navigation", { name: "Main" });
  expect(within(nav).getByRole("link", { name: "Profile" }).getAttribute("aria-current")).toBe(
    "page",
  );
  expect(within(nav).getByRole("link", { name: "People" }).getAttribute("href")).toBe("/people");

  await user.click(within(nav).getByRole("link", { name: "People" }));
  const people = await screen.findByRole("heading", { level: 1, name: "People" });
  expect(path()).toBe("/people");
  expect(within(nav).getByRole("link", { name: "People" }).getAttribute("aria-current")).toBe(
    "page",
  );
  // The new page's title has the focus, as after a page load a screen reader starts there.
  await waitFor(() => expect(document.activeElement).toBe(people));

  await user.click(within(nav).getByRole("link", { name: "Tasks" }));
  await screen.findByRole("heading", { level: 1, name: "Tasks" });
  expect(path()).toBe("/tasks");

  await act(() => router.history.back());
  expect(await screen.findByRole("heading", { level: 1, name: "People" })).toBeTruthy();
  expect(path()).toBe("/people");

  await act(() => router.history.back());
  expect(await screen.findByRole("heading", { level: 1, name: "Welcome, Adele" })).toBeTruthy();
  expect(path()).toBe("/");

  await act(() => router.history.forward());
  expect(await screen.findByRole("heading", { level: 1, name: "People" })).toBeTruthy();
});

test("each page says 'tokens stay on our server' at most once, and sign-out is described as it works", async () => {
  signedInBff();
  const { unmount } = renderApp();
  await screen.findByText("Retail Manager", { selector: ".profile__title" });
  expect(document.body.textContent?.match(/tokens stay on/gi) ?? []).toHaveLength(1);
  unmount();

  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  renderApp();
  await screen.findByRole("heading", { level: 1, name: "Your work profile, in one place" });
  expect(document.body.textContent?.match(/tokens stay on/gi) ?? []).toHaveLength(1);
  // It signs out of Microsoft in this browser, not on every device.
  expect(document.body.textContent).not.toMatch(/sign out everywhere/i);
  expect(document.body.textContent).toContain("your Microsoft sign-in in this browser");
});
