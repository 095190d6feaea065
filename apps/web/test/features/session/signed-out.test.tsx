import { csrfHeader } from "@entra-bff/contract";
import { screen } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, signedOutSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

test("signed out: a sign-in call to action that returns to the current deep link", async () => {
  const bff = stubBff({ "GET /auth/session": () => json(200, signedOutSession) });

  renderApp({ at: "/people?q=ad#results" });

  expect(
    await screen.findByRole("heading", { level: 1, name: "Your work profile, in one place" }),
  ).toBeTruthy();
  const signIn = screen.getByRole("link", { name: "Sign in with Microsoft" });
  expect(signIn.getAttribute("href")).toBe("/auth/login?returnTo=%2Fpeople%3Fq%3Dad%23results");
  expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();

  const [sessionRequest] = bff.requestsTo("GET /auth/session");
  expect(sessionRequest?.headers.get(csrfHeader.name)).toBe("1");
  expect(bff.requests.map((r) => new URL(r.url).pathname)).toEqual(["/auth/session"]);
});
