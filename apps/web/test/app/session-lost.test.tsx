import { screen, waitFor } from "@testing-library/react";
import { expect, test } from "vitest";
import { adele, json, signedInSession, stubBff } from "../fixtures/fake-bff.ts";
import { renderApp } from "../fixtures/render-app.tsx";

test.each(["not_authenticated", "session_expired"])(
  "an /api/* 401 %s says the session ended and signs in again to the same page",
  async (code) => {
    const bff = stubBff({
      "GET /auth/session": () => json(200, signedInSession),
      "GET /api/me": () => json(401, { code, message: "Sign in to continue." }),
    });
    const { queryClient } = renderApp({ at: "/?view=full#contact" });

    const heading = await screen.findByRole("heading", { level: 1, name: "Your session ended" });
    // Focus goes to the news, not left on an element that is gone.
    await waitFor(() => expect(document.activeElement).toBe(heading));
    const signIn = screen.getByRole("link", { name: "Sign in again" });
    expect(signIn.getAttribute("href")).toBe("/auth/login?returnTo=%2F%3Fview%3Dfull%23contact");
    expect(screen.getAllByRole("link", { name: /sign in/i })).toHaveLength(1);
    expect(window.location.pathname + window.location.search + window.location.hash).toBe(
      "/?view=full#contact",
    );
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
    expect(queryClient.getQueryCache().find({ queryKey: ["profile", adele.id] })).toBeUndefined();
    // Shown from the 401 itself, not by asking a server that just disagreed with itself.
    expect(bff.requestsTo("GET /auth/session")).toHaveLength(1);
    expect(bff.requestsTo("GET /api/me")).toHaveLength(1);
  },
);

test("a 401 for a visitor who was never signed in is the plain sign-in page, no 'ended' message", async () => {
  stubBff({ "GET /auth/session": () => json(200, { authenticated: false }) });
  renderApp({ at: "/tasks" });

  await screen.findByRole("heading", { level: 1, name: "Your work profile, in one place" });
  expect(screen.queryByText(/session ended/i)).toBeNull();
  expect(screen.getByRole("link", { name: "Sign in with Microsoft" }).getAttribute("href")).toBe(
    "/auth/login?returnTo=%2Ftasks",
  );
});
