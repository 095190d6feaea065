import { screen } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, never, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

test("while the session is being checked the page says so and is marked busy", async () => {
  stubBff({ "GET /auth/session": never });

  renderApp();

  expect(await screen.findByRole("status")).toHaveProperty("textContent", "Checking your sign-in…");
  expect(screen.getByRole("main").getAttribute("aria-busy")).toBe("true");
  expect(screen.queryByRole("link", { name: "Sign in with Microsoft" })).toBeNull();
});

test("while the profile loads its card shows a skeleton and is marked busy", async () => {
  stubBff({ "GET /auth/session": () => json(200, signedInSession), "GET /api/me": never });

  renderApp();

  const card = await screen.findByRole("region", { name: "Profile" });
  expect(card.getAttribute("aria-busy")).toBe("true");
  expect(screen.getByRole("status").textContent).toBe("Loading your profile…");
  expect(screen.getByRole("main").getAttribute("aria-busy")).toBe("false");
});
