import { screen, waitFor, within } from "@testing-library/react";
import { expect, test, vi } from "vitest";
import {
  adele,
  json,
  signedInSession,
  signedOutSession,
  stubBff,
} from "../../fixtures/fake-bff.ts";
import { directory, graphUser, graphUsers, noPhoto, photo } from "../../fixtures/fake-graph.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

const megan = directory.find((u) => u.displayName === "Megan Bowen")!;

function field(card: HTMLElement, label: string): string | null {
  const term = within(card).getByText(label, { selector: "dt" });
  return term.nextElementSibling?.textContent ?? null;
}

test("a person's card on its own URL: name, photo and contact fields from /users/{id}", async () => {
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/graph/users/{id}": graphUser,
    "GET /api/graph/users/{id}/photo/$value": () => photo(),
  });
  renderApp({ at: `/people/${megan.id}` });

  expect(await screen.findByRole("heading", { level: 1, name: "Megan Bowen" })).toBeTruthy();
  const card = screen.getByRole("region", { name: "Contact card" });
  expect(field(card, "Email")).toBe(megan.mail);
  expect(within(card).getByRole("link", { name: megan.mail! }).getAttribute("href")).toBe(
    `mailto:${megan.mail}`,
  );
  expect(field(card, "Job title")).toBe("Marketing Manager");
  expect(field(card, "Office")).toBe(megan.officeLocation);
  expect(field(card, "Mobile phone")).toBe("Not available");
  await waitFor(() => expect(card.querySelector(".avatar img")).not.toBeNull());
  const [request] = bff.requestsTo("GET /api/graph/users/{id}");
  expect(new URL(request!.url).searchParams.get("$select")).toContain("jobTitle");
  // Opened from a link (no earlier page in this tab): the way back is a link to People.
  expect(screen.getByRole("link", { name: "All people" }).getAttribute("href")).toBe("/people");
});

test("someone not in the directory: the page says so and offers the search", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/graph/users/{id}": graphUser,
    "GET /api/graph/users/{id}/photo/$value": () => noPhoto(),
  });
  renderApp({ at: "/people/00000000-0000-0000-0000-00000000dead" });

  expect(await screen.findByRole("heading", { level: 1, name: "Person not found" })).toBeTruthy();
  expect(screen.getByText(/No one with this id/)).toBeTruthy();
  expect(screen.getByRole("link", { name: "Search the directory" }).getAttribute("href")).toBe(
    "/people",
  );
  expect(screen.queryByRole("alert")).toBeNull();
});

test("a deep link to a person, signed out: sign-in returns to that person", async () => {
  stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
  renderApp({ at: `/people/${megan.id}#phones` });

  const signIn = await screen.findByRole("link", { name: "Sign in with Microsoft" });
  expect(signIn.getAttribute("href")).toBe(
    `/auth/login?returnTo=${encodeURIComponent(`/people/${megan.id}#phones`)}`,
  );
});

test("opening People the first time: consent for User.ReadBasic.All, coming back to the same search", async () => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "GET /api/graph/me/photo/$value": () =>
      json(401, {
        code: "consent_required",
        message: "Consent needed.",
        loginUrl: "/auth/login?returnTo=%2F&scopes=User.ReadBasic.All",
      }),
    "GET /api/graph/users": () =>
      json(401, {
        code: "consent_required",
        message: "This page needs your permission to read your colleagues' basic profiles.",
        loginUrl: "/auth/login?returnTo=%2F&scopes=User.ReadBasic.All",
      }),
  });
  renderApp({ at: "/people?q=meg" });

  expect(await screen.findByText("Taking you to Microsoft sign-in…")).toBeTruthy();
  expect(assign).toHaveBeenCalledExactlyOnceWith(
    "http://localhost:5173/auth/login?returnTo=%2Fpeople%3Fq%3Dmeg&scopes=User.ReadBasic.All",
  );
});

test("back from consent, the search works and the loop guard is cleared", async () => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/graph/users": () =>
      json(401, {
        code: "consent_required",
        message: "Consent needed.",
        loginUrl: "/auth/login?scopes=User.ReadBasic.All",
      }),
  });
  const first = renderApp({ at: "/people?q=meg" });
  await waitFor(() => expect(assign).toHaveBeenCalledOnce());
  first.unmount();

  bff.on("GET /api/graph/users", graphUsers);
  renderApp({ at: "/people?q=meg" });

  expect(await screen.findByRole("list", { name: "People matching meg" })).toBeTruthy();
  expect(window.sessionStorage.getItem("entra-bff:interactive-sign-in")).toBeNull();
  expect(assign).toHaveBeenCalledOnce();
});
