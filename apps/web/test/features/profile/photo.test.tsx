import { screen, waitFor, within } from "@testing-library/react";
import { expect, test, vi } from "vitest";
import { adele, json, never, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { noPhoto, photo } from "../../fixtures/fake-graph.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

async function profileCard() {
  const card = await screen.findByRole("region", { name: "Profile" });
  await within(card).findByText("Adele Vance", { selector: ".profile__name" });
  return card;
}

test("the user's photo replaces the initials once loaded, and its object URL is revoked", async () => {
  let answer = () => new Promise<Response>(() => {});
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "GET /api/graph/me/photo/$value": () => answer(),
  });
  const revoke = vi.spyOn(URL, "revokeObjectURL");
  let release: (response: Response) => void = () => {};
  answer = () => new Promise<Response>((done) => (release = done));
  const { unmount } = renderApp();

  const card = await profileCard();
  // While the photo loads: the initials.
  expect(within(card).getByText("AV", { selector: ".avatar" })).toBeTruthy();

  release(photo());
  const image = await waitFor(() => {
    const img = card.querySelector<HTMLImageElement>(".avatar img");
    if (!img) throw new Error("no photo yet");
    return img;
  });
  expect(image.getAttribute("src")).toMatch(/^blob:/);
  expect(image.getAttribute("alt")).toBe("");
  // The header shows the same photo from the same (single) request.
  await waitFor(() => expect(document.querySelector(".topbar .avatar img")).not.toBeNull());
  expect(bff.requestsTo("GET /api/graph/me/photo/$value")).toHaveLength(1);
  expect(bff.requestsTo("GET /api/graph/me/photo/$value")[0]?.headers.get("x-csrf")).toBe("1");

  const shown = [...document.querySelectorAll<HTMLImageElement>(".avatar img")].map((i) => i.src);
  unmount();
  for (const url of shown) expect(revoke).toHaveBeenCalledWith(url);
});

test("no photo (Graph's 404 ImageNotFound): the initials stay, nothing is retried", async () => {
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "GET /api/graph/me/photo/$value": () => noPhoto(),
  });
  renderApp();

  const card = await profileCard();
  await waitFor(() => expect(bff.requestsTo("GET /api/graph/me/photo/$value")).toHaveLength(1));
  expect(within(card).getByText("AV", { selector: ".avatar" })).toBeTruthy();
  expect(card.querySelector("img")).toBeNull();
  expect(screen.queryByRole("alert")).toBeNull();
});

test("a photo that needs consent first never sends the user to sign-in by itself", async () => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  const bff = stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "GET /api/graph/me/photo/$value": () =>
      json(401, {
        code: "consent_required",
        message: "Consent needed.",
        loginUrl: "/auth/login?returnTo=%2F&scopes=User.ReadBasic.All",
      }),
  });
  renderApp();

  const card = await profileCard();
  await waitFor(() =>
    expect(bff.requestsTo("GET /api/graph/me/photo/$value").length).toBeGreaterThan(0),
  );
  expect(within(card).getByText("AV", { selector: ".avatar" })).toBeTruthy();
  expect(assign).not.toHaveBeenCalled();
  expect(screen.queryByText("Taking you to Microsoft sign-in…")).toBeNull();
});

test("a photo request that never answers leaves the initials, the page usable", async () => {
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "GET /api/graph/me/photo/$value": never,
  });
  renderApp();

  const card = await profileCard();
  expect(within(card).getByText("AV", { selector: ".avatar" })).toBeTruthy();
  expect(within(card).getByText("Retail Manager", { selector: ".profile__title" })).toBeTruthy();
});
