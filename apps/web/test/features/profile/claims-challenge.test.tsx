import { screen, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

const loginUrl = "/auth/login?returnTo=%2F&claims=eyJhY2Nlc3NfdG9rZW4iOnt9fQ";

test("claims_challenge: the user is told and offered to continue through sign-in", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () =>
      json(401, {
        code: "claims_challenge",
        message: "Your organization requires you to sign in again.",
        loginUrl,
      }),
  });
  renderApp();

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe(
    "Your organization needs you to sign in again",
  );
  expect(alert.textContent).toContain("Your organization requires you to sign in again.");
  expect(within(alert).getByRole("link", { name: "Continue to sign in" })).toHaveProperty(
    "href",
    `http://localhost:5173${loginUrl}`,
  );
  // The session survives a claims challenge: still signed in.
  expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
});

test("consent_required gets its own title", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () =>
      json(401, { code: "consent_required", message: "Consent needed.", loginUrl }),
  });
  renderApp();

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe("More permissions are needed");
});

test("a loginUrl to another origin is never offered as a link", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () =>
      json(401, {
        code: "claims_challenge",
        message: "Sign in again.",
        loginUrl: "https://evil.example/phish",
      }),
  });
  renderApp();

  const alert = await screen.findByRole("alert");
  expect(within(alert).queryByRole("link")).toBeNull();
  expect(within(alert).getByRole("button", { name: "Try again" })).toBeTruthy();
});
