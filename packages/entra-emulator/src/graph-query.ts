/**
 * The OData query options of Graph's users: read once from the URL, checked as Graph checks
 * them (each mistake answered with Graph's 400 and wording), then run over the directory.
 */
import type { ProfileAccess } from "./graph-auth.ts";
import { graphErrors } from "./graph-errors.ts";
import {
  checkFilter,
  type FilterNode,
  filterProperties,
  matchesFilter,
  parseFilter,
} from "./graph-filter.ts";
import { matchesSearch, parseSearch, type SearchNode, searchProperties } from "./graph-search.ts";
import {
  defaultUserProperties,
  findUserProperty,
  type UserProperty,
  userProperties,
} from "./graph-user.ts";
import type { TestUser } from "./types.ts";

/** The system query options Graph knows; `$skip` is one, but users do not support it. */
const knownOptions = new Set([
  "$select",
  "$filter",
  "$search",
  "$orderby",
  "$top",
  "$count",
  "$skiptoken",
  "$skip",
  "$expand",
]);

export const defaultPageSize = 100;
export const maxPageSize = 999;

/**
 * The `$` options of a query string, names in lower case (Graph ignores their case), in
 * the order given. Other parameters are ignored, as Graph ignores them. Twice the same
 * option, or one Graph does not know, is a 400.
 */
export function parseODataOptions(rawQuery: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const [rawName, value] of new URLSearchParams(rawQuery)) {
    if (!rawName.startsWith("$")) continue;
    const name = rawName.toLowerCase();
    if (!knownOptions.has(name)) {
      throw graphErrors.badQuery(`The query parameter '${rawName}' is not supported.`);
    }
    if (options.has(name)) {
      throw graphErrors.badQuery(
        `Query option '${rawName}' was specified more than once, but it must be specified at most once.`,
      );
    }
    options.set(name, value);
  }
  return options;
}

/** `$select`: the properties asked for, in that order; `*` is all of them. */
export function parseSelect(options: ReadonlyMap<string, string>): readonly UserProperty[] {
  if (options.has("$expand")) {
    const expand = options.get("$expand")!.split(",")[0]!.trim();
    throw selectError(expand);
  }
  const select = options.get("$select");
  if (select === undefined) return defaultUserProperties;
  const properties: UserProperty[] = [];
  for (const raw of select.split(",")) {
    const name = raw.trim();
    if (name === "*") return userProperties;
    const property = findUserProperty(name);
    if (!property) throw selectError(name);
    if (!properties.includes(property)) properties.push(property);
  }
  return properties;
}

function selectError(name: string) {
  return graphErrors.badQuery(
    `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.user'.`,
  );
}

/** The `@odata.context` of users: `#users`, `#users(a,b)`, with `/$entity` for one. */
export function usersContext(
  options: ReadonlyMap<string, string>,
  properties: readonly UserProperty[],
  entity: boolean,
): string {
  const selected = options.has("$select") ? `(${properties.map((p) => p.name).join(",")})` : "";
  return `https://graph.microsoft.com/v1.0/$metadata#users${selected}${entity ? "/$entity" : ""}`;
}

export interface UsersQuery {
  select: readonly UserProperty[];
  filter: FilterNode | undefined;
  search: SearchNode | undefined;
  orderBy: { property: UserProperty; descending: boolean }[];
  /** Page size: `$top` or Graph's default of 100. */
  top: number;
  /** `$count=true` with `ConsistencyLevel: eventual` (without it Graph ignores `$count`). */
  count: boolean;
  skipToken: string | undefined;
}

/**
 * Checks a users query against what Graph allows. `eventual` is the request's
 * `ConsistencyLevel: eventual`: `$search` needs it; `ne`, `not`, `endsWith`, some
 * properties, and `$filter` with `$orderby` need it and `$count=true` as well.
 */
export function parseUsersQuery(
  options: ReadonlyMap<string, string>,
  eventual: boolean,
): UsersQuery {
  if (options.has("$skip")) {
    throw graphErrors.badQuery("'$skip' is not supported by the service.");
  }
  const select = parseSelect(options);
  const top = parseTop(options.get("$top"));
  const countOption = parseCount(options.get("$count"));
  const advanced = eventual && countOption;

  const rawSearch = options.get("$search");
  if (rawSearch !== undefined && !eventual) {
    throw graphErrors.unsupportedQuery(
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const search = rawSearch === undefined ? undefined : parseSearch(rawSearch);

  const rawFilter = options.get("$filter");
  const filter = rawFilter === undefined ? undefined : parseFilter(rawFilter);
  if (filter) checkFilter(filter, advanced);

  const orderBy = parseOrderBy(options.get("$orderby"));
  if (orderBy.length > 0 && filter && !advanced) {
    throw graphErrors.unsupportedQuery("Sorting not supported for current query.");
  }

  return {
    select,
    filter,
    search,
    orderBy,
    top,
    count: countOption && eventual,
    skipToken: options.get("$skiptoken"),
  };
}

function parseTop(raw: string | undefined): number {
  if (raw === undefined) return defaultPageSize;
  if (!/^\d+$/.test(raw.trim())) {
    throw graphErrors.badQuery(
      `Invalid value '${raw}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  }
  const top = Number(raw.trim());
  if (top < 1 || top > maxPageSize) {
    throw graphErrors.unsupportedQuery(
      `Invalid page size specified: '${raw.trim()}'. Must be between 1 and ${maxPageSize} inclusive.`,
    );
  }
  return top;
}

function parseCount(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const value = raw.trim().toLowerCase();
  if (value !== "true" && value !== "false") {
    throw graphErrors.badQuery(`'${raw}' is not a valid count option.`);
  }
  return value === "true";
}

function parseOrderBy(raw: string | undefined): UsersQuery["orderBy"] {
  if (raw === undefined) return [];
  return raw.split(",").map((item) => {
    const [name = "", direction, ...rest] = item.trim().split(/\s+/);
    const property = findUserProperty(name);
    if (!property) {
      throw graphErrors.badQuery(
        `Could not find a property named '${name}' on type 'microsoft.graph.user'.`,
      );
    }
    const lower = direction?.toLowerCase();
    if (rest.length > 0 || (lower !== undefined && lower !== "asc" && lower !== "desc")) {
      throw graphErrors.badQuery(`Syntax error at position ${item.length} in '${raw}'.`);
    }
    if (!property.sortable)
      throw graphErrors.unsupportedQuery("Sorting not supported for current query.");
    return { property, descending: lower === "desc" };
  });
}

/** Every property the query reads to choose or order users (not the ones it returns). */
export function queriedProperties(query: UsersQuery): UserProperty[] {
  return [
    ...(query.filter ? filterProperties(query.filter) : []),
    ...(query.search ? searchProperties(query.search) : []),
    ...query.orderBy.map((order) => order.property),
  ];
}

/**
 * Whether a caller with this access may run the query: with the basic profile only, a
 * filter, search or sort on another property would disclose it, so Graph refuses (403).
 */
export function queryAllowed(
  query: UsersQuery,
  access: Exclude<ProfileAccess, undefined>,
): boolean {
  return access === "full" || queriedProperties(query).every((property) => property.basic);
}

/** The users the query matches, ordered: directory order unless `$orderby` says otherwise. */
export function runUsersQuery(users: readonly TestUser[], query: UsersQuery): TestUser[] {
  const { filter, search, orderBy } = query;
  const matched = users.filter(
    (user) => (!filter || matchesFilter(filter, user)) && (!search || matchesSearch(search, user)),
  );
  if (orderBy.length === 0) return matched;
  return matched.sort((a, b) => {
    for (const { property, descending } of orderBy) {
      const order = compareValues(property.value(a), property.value(b));
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

function compareValues(a: unknown, b: unknown): number {
  // Nulls sort first, as in the directory's ascending order.
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return String(a).localeCompare(String(b), "en", { sensitivity: "base" });
}
