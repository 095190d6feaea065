import { cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, expect, test, vi } from "vitest";
import {
  loopGuardStorageKey,
  loopGuardWindowMs,
} from "../../../src/features/session/interactive-sign-in.ts";
import { adele, json, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

// As the BFF sends it: it cannot see the page (no Referer), so `returnTo` is "/". The claims
// carry a character URLSearchParams would re-encode (`~`), to show they pass untouched.
const claims = "%7B%22access_token%22%3A%7B%22nbf%22%3A%7B%22value%22%3A%221700000000%22%7D%7D%7D~";
const challengeUrl = `/auth/login?returnTo=%2F&claims=${claims}`;
const consentUrl = "/auth/login?returnTo=%2F&scopes=User.Read+Mail.Read";
// The profile page (it calls /api/me), with a query and a fragment that must both survive.
const deepLink = "/?view=full#contact";
const deepLinkParam = "returnTo=%2F%3Fview%3Dfull%23contact";
const origin = "http://localhost:5173";

const claimsChallenge = {
  code: "claims_challenge",
  message: "Your organization requires you to sign in again.",
  loginUrl: challengeUrl,
};

function observeNavigation() {
  return vi.spyOn(window.location, "assign").mockImplementation(() => {});
}

function challengedBff(body: Record<string, string> = claimsChallenge) {
  return stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(401, body),
  });
}

/** A page load in the same tab: a fresh app, but the tab's sessionStorage stays. */
function reloadApp() {
  cleanup();
  return renderApp({ at: deepLink });
}

async function expectRedirectingStatus() {
  const text = await screen.findByText("Taking you to Microsoft sign-in…");
  expect(text.closest("[role=status]")).not.toBeNull();
}

afterEach(() => {
  vi.useRealTimers();
  // Before setup.ts clears sessionStorage, which a test may have made throw.
  vi.restoreAllMocks();
});

test("claims_challenge: goes to sign-in at once, returning to this page, claims untouched", async () => {
  const assign = observeNavigation();
  challengedBff();
  renderApp({ at: deepLink });

  await expectRedirectingStatus();
  expect(assign).toHaveBeenCalledExactlyOnceWith(
    `${origin}/auth/login?${deepLinkParam}&claims=${claims}`,
  );
  expect(screen.queryByRole("alert")).toBeNull();
  // The session survives a claims challenge: still signed in.
  expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
  const record = JSON.parse(window.sessionStorage.getItem(loopGuardStorageKey) ?? "null");
  expect(record).toEqual({
    code: "claims_challenge",
    at: expect.any(Number),
    origin: JSON.stringify(["profile", adele.id]),
  });
});

test("consent_required: goes to sign-in the same way, keeping the scopes asked for", async () => {
  const assign = observeNavigation();
  challengedBff({ code: "consent_required", message: "Consent needed.", loginUrl: consentUrl });
  renderApp({ at: deepLink });

  await expectRedirectingStatus();
  expect(assign).toHaveBeenCalledExactlyOnceWith(
    `${origin}/auth/login?${deepLinkParam}&scopes=User.Read+Mail.Read`,
  );
});

test("a loginUrl to another origin is neither followed nor offered as a link", async () => {
  const assign = observeNavigation();
  challengedBff({ ...claimsChallenge, loginUrl: "https://evil.example/auth/login?returnTo=%2F" });
  renderApp({ at: deepLink });

  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Your organization requires you to sign in again.");
  expect(within(alert).queryByRole("link")).toBeNull();
  expect(within(alert).getByRole("button", { name: "Try again" })).toBeTruthy();
  expect(assign).not.toHaveBeenCalled();
  expect(window.sessionStorage.getItem(loopGuardStorageKey)).toBeNull();
});

test("the same challenge right after an automatic sign-in: no second redirect, a link and why", async () => {
  const assign = observeNavigation();
  challengedBff();
  renderApp({ at: deepLink });
  await waitFor(() => expect(assign).toHaveBeenCalledOnce());

  reloadApp(); // back from sign-in, and Graph still says no

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe(
    "Your organization needs you to sign in again",
  );
  expect(within(alert).getByText(/did not satisfy this requirement/).textContent).toBe(
    "You just signed in again, but that did not satisfy this requirement. Try once more; " +
      "if it keeps happening, contact your administrator.",
  );
  expect(
    within(alert).getByRole("link", { name: "Continue to sign in" }).getAttribute("href"),
  ).toBe(`/auth/login?${deepLinkParam}&claims=${claims}`);
  expect(screen.queryByText("Taking you to Microsoft sign-in…")).toBeNull();
  expect(assign).toHaveBeenCalledOnce();
});

test("once the guard window has passed, the challenge redirects again", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.parse("2030-01-15T12:00:00Z"));
  const assign = observeNavigation();
  challengedBff();
  renderApp({ at: deepLink });
  await waitFor(() => expect(assign).toHaveBeenCalledOnce());

  vi.setSystemTime(Date.parse("2030-01-15T12:00:00Z") + loopGuardWindowMs);
  reloadApp();

  await expectRedirectingStatus();
  expect(assign).toHaveBeenCalledTimes(2);
  const record = JSON.parse(window.sessionStorage.getItem(loopGuardStorageKey) ?? "null");
  expect(record).toEqual({ code: "claims_challenge", at: Date.now(), origin: expect.any(String) });
});

test("a different challenge right after an automatic sign-in does not redirect either", async () => {
  const assign = observeNavigation();
  const bff = challengedBff();
  renderApp({ at: deepLink });
  await waitFor(() => expect(assign).toHaveBeenCalledOnce());

  bff.on("GET /api/me", () =>
    json(401, { code: "consent_required", message: "Consent needed.", loginUrl: consentUrl }),
  );
  reloadApp();

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe("More permissions are needed");
  expect(
    within(alert).getByRole("link", { name: "Continue to sign in" }).getAttribute("href"),
  ).toBe(`/auth/login?${deepLinkParam}&scopes=User.Read+Mail.Read`);
  expect(assign).toHaveBeenCalledOnce();
});

test("a successful /api/me forgets the last redirect, so a later challenge redirects again", async () => {
  const assign = observeNavigation();
  const bff = challengedBff();
  renderApp({ at: deepLink });
  await waitFor(() => expect(assign).toHaveBeenCalledOnce());

  bff.on("GET /api/me", () => json(200, adele));
  reloadApp();
  await screen.findByText("Retail Manager", { selector: ".profile__title" });
  expect(window.sessionStorage.getItem(loopGuardStorageKey)).toBeNull();

  bff.on("GET /api/me", () => json(401, claimsChallenge));
  reloadApp();
  await waitFor(() => expect(assign).toHaveBeenCalledTimes(2));
});

test("without sessionStorage there is no loop guard, so no automatic redirect: a link", async () => {
  vi.spyOn(window, "sessionStorage", "get").mockImplementation(() => {
    throw new DOMException("Storage is disabled.", "SecurityError");
  });
  const assign = observeNavigation();
  challengedBff();
  renderApp({ at: deepLink });

  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Your organization requires you to sign in again.");
  expect(
    within(alert).getByRole("link", { name: "Continue to sign in" }).getAttribute("href"),
  ).toBe(`/auth/login?${deepLinkParam}&claims=${claims}`);
  expect(assign).not.toHaveBeenCalled();
});

test("session_expired is a lost session, not a sign-in request: the signed-out page", async () => {
  const assign = observeNavigation();
  challengedBff({
    code: "session_expired",
    message: "Your session ended.",
    loginUrl: "/auth/login?returnTo=%2F",
  });
  renderApp({ at: deepLink });

  await screen.findByRole("link", { name: "Sign in again" });
  expect(assign).not.toHaveBeenCalled();
  expect(window.sessionStorage.getItem(loopGuardStorageKey)).toBeNull();
});
