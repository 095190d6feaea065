import { expect, test } from "vitest";
import { currentReturnTo, signInUrl } from "../../../src/features/session/sign-in-url.ts";

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

test("the #fragment travels inside returnTo (a browser never sends it to a server)", () => {
  window.history.replaceState(null, "", "/people/42?tab=contact#phones");
  expect(signInUrl()).toBe("/auth/login?returnTo=%2Fpeople%2F42%3Ftab%3Dcontact%23phones");
});

test("a sign-in error already shown is left out; the rest of the query is kept as written", () => {
  window.history.replaceState(null, "", "/people?q=a%20b&authError=access_denied#x");
  expect(currentReturnTo()).toBe("/people?q=a+b#x");
  window.history.replaceState(null, "", "/people?q=a%20b#x");
  expect(currentReturnTo()).toBe("/people?q=a%20b#x");
});
