import { graphUserFields } from "@entra-bff/contract";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { expect, test, vi } from "vitest";
import { adele, json, type Route, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { directory, graphUsers, photo } from "../../fixtures/fake-graph.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

function peopleBff(users: Route = graphUsers) {
  return stubBff({
    "GET /auth/session": () => json(200, signedInSession),
    "GET /api/me": () => json(200, adele),
    "GET /api/graph/users": users,
    "GET /api/graph/users/{id}/photo/$value": () => photo(),
  });
}

const searchesOf = (requests: Request[]) =>
  requests
    .filter((r) => new URL(r.url).pathname === "/api/graph/users")
    .map((r) => new URL(r.url).searchParams.get("$search"));

const path = () => `${window.location.pathname}${window.location.search}`;

async function openPeople(at = "/people") {
  const view = renderApp({ at });
  const field = await screen.findByRole("searchbox", { name: "Search by name" });
  return { ...view, field };
}

test("searching as you type: one request for the settled term, Graph's $search with ConsistencyLevel", async () => {
  const bff = peopleBff();
  const { field } = await openPeople();
  await screen.findByRole("list", { name: "Everyone" });

  // Typed in one go (quicker than the pause): only the last value is searched for.
  fireEvent.change(field, { target: { value: "a" } });
  fireEvent.change(field, { target: { value: "al" } });
  fireEvent.change(field, { target: { value: "ale" } });

  const results = await screen.findByRole("list", { name: "People matching ale" });
  expect(searchesOf(bff.requests)).toEqual([null, '"displayName:ale"']);
  const search = bff.requests.find((r) => new URL(r.url).searchParams.has("$search"))!;
  const query = new URL(search.url).searchParams;
  expect(query.get("$select")).toBe(graphUserFields.join(","));
  expect(query.get("$top")).toBe("10");
  expect(query.get("$count")).toBe("true");
  expect(query.get("$orderby")).toBe("displayName");
  expect(search.headers.get("consistencylevel")).toBe("eventual");
  expect(search.headers.get("x-csrf")).toBe("1");
  // The URL follows the search: reload, share and back all keep it.
  expect(path()).toBe("/people?q=ale");

  const names = within(results)
    .getAllByRole("link")
    .map((link) => link.querySelector(".person-row__name")?.textContent);
  expect(names).toEqual(
    ["Alex Wilber", "Allan Deyoung"].filter((n) => n.toLowerCase().startsWith("ale")),
  );
  expect(screen.getByRole("status").textContent).toBe("1 person matching “ale”.");
});

test("a search that is no longer wanted is cancelled (its AbortSignal fires)", async () => {
  const signals = new Map<string, AbortSignal>();
  const bff = peopleBff((request) => {
    const term = new URL(request.url).searchParams.get("$search") ?? "";
    signals.set(term, request.signal);
    // "al" never answers: only cancelling ends it.
    return term.includes(':al"') ? new Promise<Response>(() => {}) : graphUsers(request);
  });
  const { field } = await openPeople();
  await screen.findByRole("list", { name: "Everyone" });

  fireEvent.change(field, { target: { value: "al" } });
  await waitFor(() => expect(signals.has('"displayName:al"')).toBe(true));
  expect(screen.getByRole("status").textContent).toBe("Searching for “al”…");
  fireEvent.change(field, { target: { value: "lee" } });

  await screen.findByRole("list", { name: "People matching lee" });
  expect(signals.get('"displayName:al"')?.aborted).toBe(true);
  expect(signals.get('"displayName:lee"')?.aborted).toBe(false);
  expect(searchesOf(bff.requests)).toEqual([null, '"displayName:al"', '"displayName:lee"']);
});

test("results show each person's photo, name, title and mail, and link to their card", async () => {
  const bff = peopleBff();
  await openPeople("/people?q=megan");

  const results = await screen.findByRole("list", { name: "People matching megan" });
  const link = within(results).getByRole("link");
  const megan = directory.find((u) => u.displayName === "Megan Bowen")!;
  expect(link.getAttribute("href")).toBe(`/people/${megan.id}`);
  expect(link.textContent).toContain("Megan Bowen");
  expect(link.textContent).toContain("Marketing Manager");
  expect(link.textContent).toContain(megan.mail);
  await waitFor(() =>
    expect(link.querySelector(".avatar img")?.getAttribute("src")).toMatch(/^blob:/),
  );
  expect(
    bff.requestsTo("GET /api/graph/users/{id}/photo/$value").map((r) => new URL(r.url).pathname),
  ).toEqual([`/api/graph/users/${megan.id}/photo/$value`]);
});

test("no match: an empty state that says so, and the count in the live region", async () => {
  peopleBff();
  await openPeople("/people?q=zzz");

  expect(await screen.findByText("No one found")).toBeTruthy();
  expect(screen.getByRole("status").textContent).toBe("No one matches “zzz”.");
  expect(screen.getByText(/Check the spelling/)).toBeTruthy();
});

test("a failed search says why and can be tried again", async () => {
  let up = false;
  peopleBff((request) =>
    up
      ? graphUsers(request)
      : json(
          503,
          { code: "upstream_unavailable", message: "Microsoft Graph is busy." },
          { "retry-after": "5" },
        ),
  );
  const { user } = await openPeople("/people?q=lee");

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe(
    "The directory could not be searched",
  );
  expect(alert.textContent).toContain("Microsoft Graph is busy. You can try again in 5 seconds.");

  up = true;
  await user.click(within(alert).getByRole("button", { name: "Try again" }));
  expect(await screen.findByRole("list", { name: "People matching lee" })).toBeTruthy();
});

test("paging: 'Show more' asks for the nextLink's query on the same path, and focus moves to the first new person", async () => {
  const bff = peopleBff();
  const { user } = await openPeople();

  const list = await screen.findByRole("list", { name: "Everyone" });
  expect(within(list).getAllByRole("link")).toHaveLength(10);
  expect(screen.getByRole("status").textContent).toBe(`Showing 10 of ${directory.length} people.`);

  await user.click(screen.getByRole("button", { name: "Show more people" }));

  await waitFor(() => expect(within(list).getAllByRole("link")).toHaveLength(directory.length));
  const [, second] = bff.requestsTo("GET /api/graph/users");
  const url = new URL(second!.url);
  // Never the absolute Graph URL itself: the same /api path with its parameters.
  expect(url.origin).toBe(window.location.origin);
  expect(url.pathname).toBe("/api/graph/users");
  expect(url.searchParams.get("$skiptoken")).toBe("10");
  expect(url.searchParams.get("$select")).toBe(graphUserFields.join(","));
  expect(second?.headers.get("consistencylevel")).toBe("eventual");
  await waitFor(() => expect(document.activeElement).toBe(within(list).getAllByRole("link")[10]));
  expect(screen.queryByRole("button", { name: "Show more people" })).toBeNull();
  expect(screen.getByRole("status").textContent).toBe(`${directory.length} people.`);
});

test("the search field is labelled, described, and points at the results it controls", async () => {
  peopleBff();
  const { field } = await openPeople();
  await screen.findByRole("list", { name: "Everyone" });

  expect(field.getAttribute("aria-controls")).toBe("people-results");
  const hint = document.getElementById(field.getAttribute("aria-describedby") ?? "");
  expect(hint?.textContent).toContain("Results update as you type");
  expect(screen.getByRole("search")).toBeTruthy();
});

test("back and forward restore the search and the card", async () => {
  peopleBff();
  stubRoutesForCards();
  const { user, router, field } = await openPeople();
  await screen.findByRole("list", { name: "Everyone" });
  fireEvent.change(field, { target: { value: "lee" } });
  const results = await screen.findByRole("list", { name: "People matching lee" });

  await user.click(within(results).getByRole("link", { name: /Lee Gu/ }));
  expect(await screen.findByRole("heading", { level: 1, name: "Lee Gu" })).toBeTruthy();

  await act(() => router.history.back());
  expect(await screen.findByRole("list", { name: "People matching lee" })).toBeTruthy();
  expect(screen.getByRole("searchbox", { name: "Search by name" })).toHaveProperty("value", "lee");
  expect(path()).toBe("/people?q=lee");

  await act(() => router.history.forward());
  expect(await screen.findByRole("heading", { level: 1, name: "Lee Gu" })).toBeTruthy();
});

/** Adds the card route to the BFF stubbed last (stubBff replaces `fetch`). */
function stubRoutesForCards() {
  const previous = globalThis.fetch;
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), window.location.href);
    const match = /^\/api\/graph\/users\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const user = directory.find((u) => u.id === decodeURIComponent(match[1]!));
      return user
        ? json(200, user)
        : json(404, { error: { code: "Request_ResourceNotFound", message: "Not found." } });
    }
    return previous(input, init);
  });
}
