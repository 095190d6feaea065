import { screen } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, signedOutSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

test("a session check that cannot reach the BFF shows the reason and retries on request", async () => {
  let reachable = false;
  const bff = stubBff({
    "GET /auth/session": () =>
      reachable ? json(200, signedOutSession) : Promise.reject(new TypeError("Failed to fetch")),
  });
  const { user } = renderApp();

  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("We could not check whether you are signed in");
  expect(alert.textContent).toContain(
    "The server could not be reached. Check your connection and try again.",
  );
  // A transient failure is retried twice on its own, then the user decides.
  expect(bff.requestsTo("GET /auth/session")).toHaveLength(3);

  reachable = true;
  await user.click(screen.getByRole("button", { name: "Try again" }));

  expect(await screen.findByRole("link", { name: "Sign in with Microsoft" })).toBeTruthy();
  expect(screen.queryByRole("alert")).toBeNull();
});
