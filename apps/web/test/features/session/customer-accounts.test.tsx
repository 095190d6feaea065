// The SPA for a customer tenant (Entra External ID, Azure AD B2C): what `/auth/session`'s
// `features` and `/api/me`'s `source`/`fields` say decides what it shows.
import type { Profile, SessionResponse } from "@entra-bff/contract";
import { screen, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

const b2cFeatures = { signUp: false, editProfile: true, directory: false };
const externalFeatures = { signUp: true, editProfile: false, directory: false };

const customer: SessionResponse = {
  ...signedInSession,
  user: {
    name: "Avery Brooks",
    username: "avery.brooks@example.com",
    oid: "00000000-0000-4000-8000-c05700000001",
    tenantId: "aaaabbbb-0000-cccc-1111-dddd2222eeee",
  },
};

/** `/api/me` of a B2C session: the ID token's claims, saying which it has. */
const fromSignIn: Profile = {
  id: "00000000-0000-4000-8000-c05700000001",
  displayName: "Avery Brooks",
  givenName: "Avery",
  surname: "Brooks",
  userPrincipalName: null,
  mail: "avery.brooks@example.com",
  jobTitle: null,
  officeLocation: null,
  businessPhones: [],
  mobilePhone: null,
  preferredLanguage: null,
  source: "id_token",
  fields: ["id", "displayName", "givenName", "surname", "mail"],
};

function rows(card: HTMLElement): Record<string, string> {
  return Object.fromEntries(
    within(card)
      .getAllByText((_content, element) => element?.tagName === "DT")
      .map((term) => [term.textContent ?? "", term.nextElementSibling?.textContent ?? ""]),
  );
}

test("B2C: the profile shows only what the ID token has, and an Edit profile action", async () => {
  const bff = stubBff({
    "GET /auth/session": () => json(200, { ...customer, features: b2cFeatures }),
    "GET /api/me": () => json(200, fromSignIn),
  });
  renderApp({ at: "/?tab=details" });

  const card = await screen.findByRole("region", { name: "Profile" });
  await within(card).findByText("Avery Brooks", { selector: ".profile__name" });
  expect(within(card).getByText("From your sign-in")).toBeTruthy();
  // No empty rows: the token knows nothing of offices or phones.
  expect(rows(card)).toEqual({
    "Given name": "Avery",
    Surname: "Brooks",
    Email: "avery.brooks@example.com",
  });
  expect(card.textContent).not.toContain("Not set");
  const edit = within(card).getByRole("link", { name: "Edit profile" });
  expect(edit.getAttribute("href")).toBe("/auth/edit-profile?returnTo=%2F%3Ftab%3Ddetails");

  // No organization's directory: no People, and no photo is asked for.
  const nav = screen.getByRole("navigation", { name: "Main" });
  expect(within(nav).queryByRole("link", { name: "People" })).toBeNull();
  expect(within(nav).getByRole("link", { name: "Tasks" })).toBeTruthy();
  expect(bff.requests.map((r) => new URL(r.url).pathname)).not.toContain(
    "/api/graph/me/photo/$value",
  );
});

test("no Edit profile action where the tenant has no profile editing", async () => {
  stubBff({
    "GET /auth/session": () =>
      json(200, { ...customer, features: { ...b2cFeatures, editProfile: false } }),
    "GET /api/me": () => json(200, fromSignIn),
  });
  renderApp();
  const card = await screen.findByRole("region", { name: "Profile" });
  await within(card).findByText("Avery Brooks", { selector: ".profile__name" });
  expect(within(card).queryByRole("link", { name: "Edit profile" })).toBeNull();
});

test("External ID, signed out: Sign in and Create account, both back to the deep link", async () => {
  stubBff({
    "GET /auth/session": () => json(200, { authenticated: false, features: externalFeatures }),
  });
  renderApp({ at: "/tasks?filter=open" });

  expect(
    await screen.findByRole("heading", { level: 1, name: "Your Contoso account" }),
  ).toBeTruthy();
  expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe(
    "/auth/login?returnTo=%2Ftasks%3Ffilter%3Dopen",
  );
  expect(screen.getByRole("link", { name: "Create account" }).getAttribute("href")).toBe(
    "/auth/login?returnTo=%2Ftasks%3Ffilter%3Dopen&prompt=create",
  );
  // A customer signs in with this app's account, not a work account "with Microsoft".
  expect(screen.queryByRole("link", { name: "Sign in with Microsoft" })).toBeNull();
  expect(document.body.textContent).not.toContain("work or school account");
});

test("B2C, signed out: no Create account button (sign-up is on B2C's own page)", async () => {
  stubBff({
    "GET /auth/session": () => json(200, { authenticated: false, features: b2cFeatures }),
  });
  renderApp();
  expect(await screen.findByRole("link", { name: "Sign in" })).toBeTruthy();
  expect(screen.queryByRole("link", { name: "Create account" })).toBeNull();
});

test("a workforce session (no features) keeps Graph's card, People and the Microsoft button", async () => {
  stubBff({
    "GET /auth/session": () => json(200, { authenticated: false }),
  });
  renderApp();
  expect(await screen.findByRole("link", { name: "Sign in with Microsoft" })).toBeTruthy();
  expect(screen.queryByRole("link", { name: "Create account" })).toBeNull();
});

test("a profile edit that came back as another account says so, signed in", async () => {
  stubBff({
    "GET /auth/session": () => json(200, { ...customer, features: b2cFeatures }),
    "GET /api/me": () => json(200, fromSignIn),
  });
  renderApp({ at: "/?authError=wrong_account" });
  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain(
    "You signed in with a different account while editing your profile, so nothing was changed.",
  );
  expect(alert.textContent).toContain("Error code: wrong_account");
});
