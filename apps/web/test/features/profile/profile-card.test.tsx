import { screen, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { adele, json, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

function field(card: HTMLElement, label: string): string | null {
  const term = within(card).getByText(label, { selector: "dt" });
  return term.nextElementSibling?.textContent ?? null;
}

test("the profile card shows the Graph profile fields", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
  });
  renderApp();

  const card = await screen.findByRole("region", { name: "Profile" });
  await within(card).findByText("Adele Vance", { selector: ".profile__name" });
  expect(card.getAttribute("aria-busy")).toBe("false");
  expect(within(card).getByText("AV", { selector: ".avatar" })).toBeTruthy();
  expect(field(card, "Email")).toBe("adele.vance@contoso.example");
  expect(within(card).getByRole("link", { name: "adele.vance@contoso.example" })).toHaveProperty(
    "href",
    "mailto:adele.vance@contoso.example",
  );
  expect(field(card, "User principal name")).toBe("AdeleV@contoso.example");
  expect(field(card, "Job title")).toBe("Retail Manager");
  expect(field(card, "Office")).toBe("18/2111");
  expect(field(card, "Business phone")).toBe("+1 425 555 0109");
  expect(field(card, "Mobile phone")).toBe("+1 425 555 0199");
  expect(field(card, "Preferred language")).toContain("(en-US)");
});

test("unset Graph fields read 'Not set'", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () =>
      json(200, { ...adele, mail: null, mobilePhone: null, businessPhones: [], jobTitle: null }),
  });
  renderApp();

  const card = await screen.findByRole("region", { name: "Profile" });
  await within(card).findByText("Adele Vance", { selector: ".profile__name" });
  expect(field(card, "Email")).toBe("Not set");
  expect(field(card, "Mobile phone")).toBe("Not set");
  expect(field(card, "Business phone")).toBe("Not set");
  expect(field(card, "Job title")).toBe("Not set");
});

test("a failed profile shows the reason and code, and Try again reloads it", async () => {
  let graphUp = false;
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () =>
      graphUp
        ? json(200, adele)
        : json(
            503,
            { code: "graph_unavailable", message: "Microsoft Graph is busy." },
            { "retry-after": "3" },
          ),
  });
  const { user } = renderApp();

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe("Your profile could not be loaded");
  expect(alert.textContent).toContain("Microsoft Graph is busy. You can try again in 3 seconds.");
  expect(alert.textContent).toContain("Error code: graph_unavailable");
  const callsBeforeRetry = bff.requestsTo("GET /api/me").length;

  graphUp = true;
  await user.click(within(alert).getByRole("button", { name: "Try again" }));

  expect(await screen.findByText("Retail Manager", { selector: ".profile__title" })).toBeTruthy();
  expect(bff.requestsTo("GET /api/me")).toHaveLength(callsBeforeRetry + 1);
  expect(screen.queryByRole("alert")).toBeNull();
});

test("a 4xx profile error is not retried on its own", async () => {
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(400, { code: "bad_request", message: "Bad request." }),
  });
  renderApp();

  await screen.findByRole("alert");
  expect(bff.requestsTo("GET /api/me")).toHaveLength(1);
});
