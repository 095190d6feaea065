import { act, screen } from "@testing-library/react";
import { afterEach, expect, test, vi } from "vitest";
import { sessionChannelName } from "../../../src/features/session/session-channel.ts";
import {
  adele,
  json,
  signedInSession,
  signedOutSession,
  stubBff,
} from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

const endSessionUrl = "https://login.example/tenant/oauth2/v2.0/logout";

// Stands for another tab of the same browser.
const otherTab = new BroadcastChannel(sessionChannelName);
const heard: unknown[] = [];
otherTab.addEventListener("message", (event) => heard.push(event.data));

afterEach(() => {
  heard.length = 0;
});

test("a sign-out in another tab shows this tab signed out, says why, and forgets the profile", async () => {
  let session = signedInSession;
  stubBff({
    "GET /auth/session": () => json(200, session),
    "GET /api/me": () => json(200, adele),
  });
  const { queryClient } = renderApp();
  await screen.findByText("Retail Manager", { selector: ".profile__title" });

  session = signedOutSession;
  await act(async () => otherTab.postMessage({ type: "signed-out" }));

  expect(await screen.findByRole("heading", { level: 1, name: "You signed out" })).toBeTruthy();
  expect(screen.getByText(/signed out in another tab/)).toBeTruthy();
  expect(screen.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe(
    "/auth/login?returnTo=%2F",
  );
  expect(screen.queryByRole("navigation", { name: "Account" })).toBeNull();
  await vi.waitFor(() =>
    expect(queryClient.getQueryCache().find({ queryKey: ["profile", adele.id] })).toBeUndefined(),
  );
});

test("a sign-in in another tab shows this tab signed in", async () => {
  let session = signedOutSession;
  const bff = stubBff({
    "GET /auth/session": () => json(200, session),
    "GET /api/me": () => json(200, adele),
  });
  renderApp();
  await screen.findByRole("link", { name: "Sign in with Microsoft" });
  expect(heard).toEqual([]);

  session = signedInSession;
  await act(async () => otherTab.postMessage({ type: "signed-in" }));

  expect(await screen.findByRole("heading", { level: 1, name: "Welcome, Adele" })).toBeTruthy();
  expect(bff.requestsTo("GET /auth/session")).toHaveLength(2);
  // This tab saw the change too, and says so (the other tab's refetch then changes nothing).
  await vi.waitFor(() => expect(heard).toEqual([{ type: "signed-in" }]));
});

test("signing out here tells the other tabs before leaving for Entra", async () => {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "POST /auth/logout": () => json(200, { redirectTo: endSessionUrl }),
  });
  const { user } = renderApp();
  await screen.findByText("Retail Manager", { selector: ".profile__title" });
  await vi.waitFor(() => expect(heard).toEqual([{ type: "signed-in" }]));
  heard.length = 0;
  const post = vi.spyOn(BroadcastChannel.prototype, "postMessage");

  await user.click(screen.getByRole("button", { name: "Sign out" }));

  await vi.waitFor(() => expect(heard).toEqual([{ type: "signed-out" }]));
  expect(assign).toHaveBeenCalledWith(endSessionUrl);
  // Delivery is asynchronous, so the order is checked on the calls themselves.
  expect(post.mock.invocationCallOrder[0]).toBeLessThan(assign.mock.invocationCallOrder[0]!);
});
