import type { SessionResponse } from "@entra-bff/contract";
import { act, fireEvent, screen } from "@testing-library/react";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import {
  adele,
  json,
  signedInSession,
  signedOutSession,
  stubBff,
} from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

// The session ends 15 minutes after "now"; the warning is due 5 minutes before the end.
const start = new Date("2030-01-15T17:30:00.000Z");
const endsAt = "2030-01-15T17:45:00.000Z";
const extendedTo = "2030-01-15T18:00:00.000Z";

function session(expiresAt: string): SessionResponse {
  return { ...signedInSession, expiresAt };
}

function clock(date: string): string {
  return new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(new Date(date));
}

async function advance(ms: number) {
  await act(() => vi.advanceTimersByTimeAsync(ms));
}

beforeEach(() => {
  // Real time still flows (TanStack schedules its renders with setTimeout); jumps are explicit.
  vi.useFakeTimers({ shouldAdvanceTime: true, now: start });
});

afterEach(() => {
  vi.useRealTimers();
});

test("the warning appears five minutes before the session ends, and not before", async () => {
  stubBff({
    "GET /auth/session": () => json(200, session(endsAt)),
    "GET /api/me": () => json(200, adele),
  });
  renderApp();
  await screen.findByRole("heading", { level: 1, name: "Welcome, Adele" });

  await advance(10 * 60_000 - 2_000);
  expect(screen.queryByRole("alert")).toBeNull();

  await advance(3_000);
  const alert = await screen.findByRole("alert");
  const heading = alert.querySelector("h2");
  expect(heading?.textContent).toBe(`Your session ends at ${clock(endsAt)}`);
  expect(screen.getByRole("button", { name: "Stay signed in" })).toBeTruthy();
  // Under the page's title in the outline, and focused so a screen reader reads it.
  const title = screen.getByRole("heading", { level: 1 });
  expect(title.compareDocumentPosition(alert) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect(document.activeElement).toBe(heading);
});

test("the warning does not take focus from a field the user is typing in", async () => {
  stubBff({
    "GET /auth/session": () => json(200, session(endsAt)),
    "GET /api/me": () => json(200, adele),
    "GET /api/tasks/tasks": () => json(200, { tasks: [] }),
  });
  renderApp({ at: "/tasks" });
  const field = await screen.findByRole("textbox", { name: "New task" });
  await vi.waitFor(() => expect(field).toHaveProperty("disabled", false));
  field.focus();

  await advance(11 * 60_000);

  await screen.findByRole("alert");
  expect(document.activeElement).toBe(field);
});

test("stay signed in calls /api/me, then /auth/session, and shows the new end time", async () => {
  let current = endsAt;
  const bff = stubBff({
    "GET /auth/session": () => json(200, session(current)),
    "GET /api/me": () => {
      current = extendedTo;
      return json(200, adele);
    },
  });
  renderApp();
  await screen.findByRole("heading", { level: 1, name: "Welcome, Adele" });
  await advance(11 * 60_000);
  await screen.findByRole("alert");
  const before = bff.requests.length;

  fireEvent.click(screen.getByRole("button", { name: "Stay signed in" }));

  await vi.waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  const calls = bff.requests.slice(before).map((r) => new URL(r.url).pathname);
  expect(calls).toEqual(["/api/me", "/auth/session"]);
  const ends = screen.getByRole("region", { name: "Your session" }).querySelector("time");
  expect(ends?.getAttribute("datetime")).toBe(extendedTo);

  // The warning comes back five minutes before the new end: 17:55, 14 minutes from now.
  await advance(14 * 60_000 - 2_000);
  expect(screen.queryByRole("alert")).toBeNull();
  await advance(3_000);
  expect((await screen.findByRole("alert")).querySelector("h2")?.textContent).toBe(
    `Your session ends at ${clock(extendedTo)}`,
  );
});

test("when the absolute lifetime ends the session, it asks to sign in again here", async () => {
  window.history.replaceState(null, "", "/");
  stubBff({
    "GET /auth/session": () => json(200, session(endsAt)),
    "GET /api/me": () => json(200, adele),
  });
  renderApp({ at: "/?tab=2#session" });
  await screen.findByRole("heading", { level: 1, name: "Welcome, Adele" });
  await advance(11 * 60_000);
  await screen.findByRole("alert");

  fireEvent.click(screen.getByRole("button", { name: "Stay signed in" }));

  const link = await screen.findByRole("link", { name: "sign in again to continue" });
  expect(link.getAttribute("href")).toBe("/auth/login?returnTo=%2F%3Ftab%3D2%23session");
  expect(screen.queryByRole("button", { name: "Stay signed in" })).toBeNull();
  expect(screen.getByRole("alert").querySelector("h2")?.textContent).toBe(
    `Your session ends at ${clock(endsAt)}`,
  );
});

test("when the end time passes, the page says the session ended and forgets the profile", async () => {
  let current: SessionResponse = session(endsAt);
  stubBff({
    "GET /auth/session": () => json(200, current),
    "GET /api/me": () => json(200, adele),
  });
  const { queryClient } = renderApp();
  await screen.findByText("Retail Manager", { selector: ".profile__title" });

  current = signedOutSession;
  await advance(15 * 60_000 + 2_000);

  expect(await screen.findByRole("heading", { level: 1, name: "Your session ended" })).toBeTruthy();
  expect(screen.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe(
    "/auth/login?returnTo=%2F",
  );
  expect(screen.queryByRole("alert")).toBeNull();
  await vi.waitFor(() =>
    expect(queryClient.getQueryCache().find({ queryKey: ["profile", adele.id] })).toBeUndefined(),
  );
});
