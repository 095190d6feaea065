import { csrfHeader } from "@entra-bff/contract";
import { screen, waitFor } from "@testing-library/react";
import { expect, test, vi } from "vitest";
import { adele, json, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

const endSessionUrl =
  "https://login.example/tenant/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5173%2F";

test("sign out POSTs with X-CSRF, forgets the user, then goes to Entra's end-session page", async () => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "POST /auth/logout": () => json(200, { redirectTo: endSessionUrl }),
  });
  const { user, queryClient } = renderApp();
  await screen.findByText("Retail Manager", { selector: ".profile__title" });

  await user.click(screen.getByRole("button", { name: "Sign out" }));

  await waitFor(() => expect(assign).toHaveBeenCalledWith(endSessionUrl));
  const [logout] = bff.requestsTo("POST /auth/logout");
  expect(logout?.headers.get(csrfHeader.name)).toBe(csrfHeader.value);
  expect(logout?.headers.get("accept")).toBe("application/json");
  expect(logout?.credentials).toBe("same-origin");
  expect(queryClient.getQueryCache().find({ queryKey: ["profile", adele.id] })).toBeUndefined();
});

test("a refused sign-out says why and can be tried again", async () => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "POST /auth/logout": () =>
      json(403, { code: "cross_site_request", message: "This request came from another site." }),
  });
  const { user } = renderApp();

  await user.click(await screen.findByRole("button", { name: "Sign out" }));

  expect((await screen.findByRole("alert")).textContent).toBe(
    "Sign-out failed: This request came from another site.",
  );
  expect(screen.getByRole("button", { name: "Sign out" })).toHaveProperty("disabled", false);
  expect(assign).not.toHaveBeenCalled();
});
