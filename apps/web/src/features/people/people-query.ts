/**
 * Directory search through the declared `graph` API: Graph's `$search` (which needs
 * `ConsistencyLevel: eventual`), only the fields the page shows (`$select`), and paging by
 * `@odata.nextLink`'s query on the same `/api/graph/users` path.
 */
import {
  type GraphUser,
  type GraphUserPage,
  type GraphUsersQuery,
  graphConsistencyHeader,
  graphUserFields,
} from "@entra-bff/contract";
import { infiniteQueryOptions, type QueryClient, queryOptions } from "@tanstack/react-query";
import { api } from "../../api/declared-api.ts";

export const pageSize = 10;
/** Longer input is cut: no name is this long, and the term travels in the URL. */
export const maxTermLength = 64;

/**
 * The term as Graph's `$search` can take it: trimmed, inner spaces collapsed, without the
 * `"` and `\` that would end or escape the quoted `"displayName:…"` clause (no name needs
 * them), at most `maxTermLength` characters.
 */
export function searchTermOf(input: string): string {
  return input.replace(/["\\]/g, " ").replace(/\s+/g, " ").trim().slice(0, maxTermLength).trim();
}

const select = graphUserFields.join(",");

/**
 * The first page: everyone (no term), or those whose display name matches the term; by name.
 * `$count=true` gives the total for "Showing 10 of 23" (an advanced query, as `$search` is).
 */
export function firstPageQuery(term: string): GraphUsersQuery {
  const common = { $select: select, $orderby: "displayName", $top: pageSize, $count: true };
  return term ? { $search: `"displayName:${term}"`, ...common } : common;
}

const pagingParameters = new Set<string>([
  "$search",
  "$select",
  "$top",
  "$filter",
  "$orderby",
  "$count",
  "$skiptoken",
]);

/**
 * The query of Graph's `@odata.nextLink` (an absolute Graph URL, never fetched itself: the
 * same call goes to the BFF with these parameters). Undefined without a link, or for one
 * that carries no `$skiptoken` (it could only repeat a page). Parameters the declaration
 * does not allow are left out rather than refused later.
 */
export function nextPageQuery(nextLink: string | undefined): GraphUsersQuery | undefined {
  if (!nextLink) return undefined;
  let url: URL;
  try {
    url = new URL(nextLink);
  } catch {
    return undefined;
  }
  const query: GraphUsersQuery = {};
  for (const [name, value] of url.searchParams) {
    if (!pagingParameters.has(name)) continue;
    if (name === "$top") query.$top = Number(value);
    else if (name === "$count") query.$count = value === "true";
    else query[name as "$search" | "$select" | "$filter" | "$orderby" | "$skiptoken"] = value;
  }
  return query.$skiptoken ? query : undefined;
}

export const peopleQueryKeys = {
  all: ["people"] as const,
  /** Keyed by the signed-in user: another user's results are never shown from the cache. */
  search: (userId: string, term: string) => ["people", userId, "search", term] as const,
  person: (userId: string, id: string) => ["people", userId, "person", id] as const,
};

export function peopleSearchQuery(userId: string, term: string) {
  return infiniteQueryOptions({
    queryKey: peopleQueryKeys.search(userId, term),
    queryFn: ({ pageParam, signal }) =>
      api.graph.get("/users", {
        query: pageParam,
        // `$search` and `$count` are Graph's "advanced queries": without it Graph answers 400.
        headers: { [graphConsistencyHeader.name]: graphConsistencyHeader.value },
        signal,
      }),
    initialPageParam: firstPageQuery(term),
    getNextPageParam: (last: GraphUserPage) => nextPageQuery(last["@odata.nextLink"]),
    staleTime: 60_000,
  });
}

/** A person from search results already loaded, shown while their own card loads. */
export function personFromSearchResults(
  queryClient: QueryClient,
  userId: string,
  id: string,
): GraphUser | undefined {
  const searches = queryClient.getQueriesData<{ pages: GraphUserPage[] }>({
    queryKey: ["people", userId, "search"],
  });
  for (const [, data] of searches) {
    for (const page of data?.pages ?? []) {
      const found = page.value.find((user) => user.id === id);
      if (found) return found;
    }
  }
  return undefined;
}

export function personQuery(userId: string, id: string) {
  return queryOptions({
    queryKey: peopleQueryKeys.person(userId, id),
    queryFn: ({ signal }): Promise<GraphUser> =>
      api.graph.get("/users/{id}", { params: { id }, query: { $select: select }, signal }),
    staleTime: 5 * 60_000,
  });
}

export function displayNameOf(user: GraphUser): string {
  return (
    user.displayName ||
    [user.givenName, user.surname].filter(Boolean).join(" ") ||
    user.userPrincipalName ||
    "Unnamed person"
  );
}
