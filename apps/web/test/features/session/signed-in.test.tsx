import { screen, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { adele, json, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

test("signed in: the header names the user, and the page says when the session ends", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
  });

  renderApp();

  const account = await screen.findByRole("navigation", { name: "Account" });
  expect(within(account).getByText("Adele Vance")).toBeTruthy();
  expect(within(account).getByText("AdeleV@contoso.example")).toBeTruthy();
  expect(within(account).getByRole("button", { name: "Sign out" })).toBeTruthy();
  expect(screen.getByRole("heading", { level: 1, name: "Welcome, Adele" })).toBeTruthy();

  const session = screen.getByRole("region", { name: "Your session" });
  const ends = session.querySelector("time");
  expect(ends?.getAttribute("datetime")).toBe("2030-01-15T17:45:00.000Z");
  const localTime = new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(
    new Date(signedInSession.expiresAt!),
  );
  expect(ends?.textContent).toContain(localTime);
  expect(screen.queryByRole("link", { name: "Sign in with Microsoft" })).toBeNull();
});
