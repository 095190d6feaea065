import { paths } from "@entra-bff/contract";
import { screen, waitFor, within } from "@testing-library/react";
import { expect, test, vi } from "vitest";
import { json, signedOutSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

function signedOut() {
  return stubBff({ "GET /auth/session": () => json(200, signedOutSession) });
}

test("the page explains admin consent and needs no session", async () => {
  signedOut();
  // Where the BFF's callback sends the administrator back to.
  renderApp({ at: paths.adminConsentResult });

  expect(
    await screen.findByRole("heading", {
      level: 1,
      name: "Set up Contoso Profile for your organization",
    }),
  ).toBeTruthy();
  expect(screen.getByRole("heading", { name: "What admin consent does" })).toBeTruthy();
  expect(screen.queryByRole("link", { name: "Sign in with Microsoft" })).toBeNull();
});

test.each([
  ["contoso.onmicrosoft.com", "contoso.onmicrosoft.com"],
  ["  Fabrikam.COM ", "fabrikam.com"],
  ["72F988BF-86F1-41AF-91AB-2D7CD011DB47", "72f988bf-86f1-41af-91ab-2d7cd011db47"],
])("a tenant %j goes to /auth/admin-consent?tenant=%s", async (typed, tenant) => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  signedOut();
  const { user } = renderApp({ at: "/admin-consent" });

  await user.type(await screen.findByRole("textbox", { name: "Tenant ID or domain" }), typed);
  await user.click(screen.getByRole("button", { name: "Continue to Microsoft" }));

  expect(assign).toHaveBeenCalledExactlyOnceWith(
    `http://localhost:5173/auth/admin-consent?tenant=${encodeURIComponent(tenant)}`,
  );
});

test.each([
  ["", "Enter your organization's tenant ID or domain."],
  ["organizations", "names no organization"],
  ["common", "names no organization"],
  ["contoso", "neither a tenant ID"],
  ["https://evil.example/", "neither a tenant ID"],
  ["contoso.com/../x", "neither a tenant ID"],
])("an input %j is explained next to the field and goes nowhere", async (typed, message) => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  signedOut();
  const { user } = renderApp({ at: "/admin-consent" });
  const field = await screen.findByRole("textbox", { name: "Tenant ID or domain" });

  if (typed) await user.type(field, typed);
  await user.click(screen.getByRole("button", { name: "Continue to Microsoft" }));

  expect(field.getAttribute("aria-invalid")).toBe("true");
  const described = (field.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent)
    .join(" ");
  expect(described).toContain(message);
  expect(document.activeElement).toBe(field);
  expect(assign).not.toHaveBeenCalled();
});

test("?result=granted&tenant=… says consent was granted for that organization, focused", async () => {
  signedOut();
  renderApp({ at: "/admin-consent?result=granted&tenant=fabrikam.onmicrosoft.com" });

  const heading = await screen.findByRole("heading", { level: 2, name: "Admin consent granted" });
  expect(heading.closest(".notice")?.textContent).toContain(
    "People in fabrikam.onmicrosoft.com can now sign in",
  );
  await waitFor(() => expect(document.activeElement).toBe(heading));
});

test("?result=failed&error=access_denied explains it with its code", async () => {
  signedOut();
  renderApp({ at: "/admin-consent?result=failed&error=access_denied" });

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe("Admin consent was not granted");
  expect(alert.textContent).toContain("Only an administrator can grant consent");
  expect(alert.textContent).toContain("Error code: access_denied");
});

test("an unknown error, or a tenant that is no tenant, is never echoed", async () => {
  signedOut();
  const { unmount } = renderApp({ at: "/admin-consent?result=failed&error=%3Cimg%20src%3Dx%3E" });
  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Consent did not complete.");
  expect(alert.textContent).not.toContain("img");
  expect(alert.textContent).not.toContain("Error code");
  unmount();

  renderApp({ at: "/admin-consent?result=granted&tenant=%3Cb%3Eevil%3C%2Fb%3E" });
  const heading = await screen.findByRole("heading", { name: "Admin consent granted" });
  expect(heading.closest(".notice")?.textContent).toContain("People in your organization");
  expect(document.body.textContent).not.toContain("evil");
});
