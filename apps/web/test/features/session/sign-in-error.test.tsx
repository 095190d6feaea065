import { signInErrorMessages } from "@entra-bff/contract";
import { screen, waitFor, within } from "@testing-library/react";
import { expect, test } from "vitest";
import {
  adele,
  json,
  signedInSession,
  signedOutSession,
  stubBff,
} from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

test("a cancelled sign-in: a neutral note under the title, one way to sign in, the URL cleaned", async () => {
  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  renderApp({ at: "/people?q=ad&authError=access_denied" });

  const heading = await screen.findByRole("heading", { level: 2, name: "Sign-in was cancelled" });
  const note = heading.closest(".notice") as HTMLElement;
  // Not an error: no alert role, no red, no code, no button of its own.
  expect(note.getAttribute("role")).toBe("status");
  expect(note.classList.contains("notice--error")).toBe(false);
  expect(note.textContent).toContain("You are not signed in. Sign in whenever you are ready.");
  expect(note.textContent).not.toContain("access_denied");
  expect(within(note).queryByRole("link")).toBeNull();
  expect(within(note).queryByRole("button")).toBeNull();
  // The page's single sign-in button returns to the page, without the error.
  const signIns = screen.getAllByRole("link", { name: /sign in|try again/i });
  expect(signIns.map((link) => link.getAttribute("href"))).toEqual([
    "/auth/login?returnTo=%2Fpeople%3Fq%3Dad",
  ]);
  // The page's title comes first; focus is on the note.
  const title = screen.getByRole("heading", { level: 1 });
  expect(title.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  await waitFor(() => expect(document.activeElement).toBe(heading));
  await waitFor(() => expect(window.location.search).toBe("?q=ad"));
});

test("a failed sign-in: the reason and its code, dismissible, and still one sign-in button", async () => {
  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  const { user } = renderApp({ at: "/?authError=invalid_id_token" });

  const alert = await screen.findByRole("alert");
  const heading = within(alert).getByRole("heading", { level: 2 });
  expect(heading.textContent).toBe("You are not signed in");
  expect(alert.textContent).toContain(signInErrorMessages.invalid_id_token);
  expect(alert.textContent).toContain("Error code: invalid_id_token");
  expect(within(alert).queryByRole("link")).toBeNull();
  expect(screen.getAllByRole("link", { name: /sign in/i })).toHaveLength(1);
  await waitFor(() => expect(document.activeElement).toBe(heading));
  await waitFor(() => expect(window.location.href).toBe("http://localhost:5173/"));

  await user.click(screen.getByRole("button", { name: "Dismiss sign-in error" }));
  expect(screen.queryByRole("alert")).toBeNull();
  expect(screen.getByRole("link", { name: "Sign in with Microsoft" })).toBeTruthy();
});

test("a cancelled re-sign-in (consent) while signed in says nothing changed", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
  });
  renderApp({ at: "/?authError=access_denied" });

  const heading = await screen.findByRole("heading", { level: 2, name: "Sign-in was cancelled" });
  expect(heading.closest(".notice")?.textContent).toContain(
    "Nothing changed: you are still signed in as before.",
  );
  expect(screen.getByRole("heading", { level: 1, name: "Welcome, Adele" })).toBeTruthy();
});

test("an unknown ?authError gets a generic message and is not echoed", async () => {
  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  renderApp({ at: "/?authError=%3Cscript%3Ebad" });

  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Sign-in did not complete. Please try again.");
  expect(alert.textContent).not.toContain("script");
  await waitFor(() => expect(window.location.href).toBe("http://localhost:5173/"));
});
