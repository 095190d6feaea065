import { expect, test } from "vitest";
import { signInUrl } from "../../../src/features/session/sign-in-url.ts";

test("by default it returns to the current page", () => {
  window.history.replaceState(null, "", "/projects/42?view=board");
  expect(signInUrl()).toBe("/auth/login?returnTo=%2Fprojects%2F42%3Fview%3Dboard");
});

test("incremental consent: extra scopes go in one space-separated `scopes` parameter", () => {
  expect(signInUrl("/mail", { scopes: ["Mail.Read"] })).toBe(
    "/auth/login?returnTo=%2Fmail&scopes=Mail.Read",
  );
  const url = new URL(signInUrl("/mail", { scopes: ["Mail.Read", "Calendars.Read"] }), "http://x");
  expect(url.searchParams.getAll("scopes")).toEqual(["Mail.Read Calendars.Read"]);
});

test("no scopes, no `scopes` parameter", () => {
  expect(signInUrl("/", { scopes: [] })).toBe("/auth/login?returnTo=%2F");
});

test.each(["", "Mail.Read Mail.Send", " Mail.Read"])(
  "a scope that is empty or has spaces is a TypeError: %j",
  (scope) => {
    expect(() => signInUrl("/", { scopes: [scope] })).toThrow(
      new TypeError(
        `A scope must be one non-empty word without spaces, got ${JSON.stringify(scope)}.`,
      ),
    );
  },
);
