/**
 * The URL's query string as plain strings, both ways: `?q=42` stays the string "42" and
 * `?q=adele` is not wrapped in JSON quotes (TanStack Router's default is JSON-ish). URLs
 * stay what a person would type and what the BFF's `returnTo` carries back after sign-in.
 */

export type SearchParams = Record<string, string>;

export function parseSearch(search: string): SearchParams {
  const params: SearchParams = {};
  for (const [name, value] of new URLSearchParams(search)) {
    // The first of repeated names wins, as a server reading `?a=1&a=2` usually does.
    if (!Object.hasOwn(params, name)) params[name] = value;
  }
  return params;
}

/** Leaves out `undefined` and `""` values; other non-strings are written with `String()`. */
export function stringifySearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(search)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(name, typeof value === "string" ? value : String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** A single string parameter of a route's search, or undefined. */
export function stringParam(search: Record<string, unknown>, name: string): string | undefined {
  const value = search[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}
