import { signInErrorMessages } from "@entra-bff/contract";
import { screen, waitFor } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, signedOutSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

test("?authError shows the readable reason, a way to try again, and leaves the URL", async () => {
  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  const { user } = renderApp({ at: "/inbox?folder=2&authError=access_denied" });

  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain(signInErrorMessages.access_denied);
  expect(alert.textContent).toContain("Error code: access_denied");
  const tryAgain = screen.getByRole("link", { name: "Try again" });
  expect(tryAgain.getAttribute("href")).toBe("/auth/login?returnTo=%2Finbox%3Ffolder%3D2");
  await waitFor(() => expect(window.location.search).toBe("?folder=2"));

  await user.click(screen.getByRole("button", { name: "Dismiss sign-in error" }));
  expect(screen.queryByRole("alert")).toBeNull();
  expect(screen.getByRole("link", { name: "Sign in with Microsoft" })).toBeTruthy();
});

test("an unknown ?authError gets a generic message and is not echoed", async () => {
  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  renderApp({ at: "/?authError=%3Cscript%3Ebad" });

  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Sign-in did not complete. Please try again.");
  expect(alert.textContent).not.toContain("script");
  await waitFor(() => expect(window.location.href).toBe("http://localhost:5173/"));
});
