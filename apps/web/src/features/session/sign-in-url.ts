/** Links that start a sign-in at the BFF and bring the user back to where they were. */
import { paths, signInErrorParam } from "@entra-bff/contract";

/**
 * The current path and query, minus a sign-in error we already showed: the deep link the
 * BFF returns to after sign-in. The BFF still validates it (`returnTo` must be local).
 */
export function currentReturnTo(): string {
  const url = new URL(window.location.href);
  url.searchParams.delete(signInErrorParam);
  return `${url.pathname}${url.search}`;
}

export function signInUrl(returnTo: string = currentReturnTo()): string {
  return `${paths.login}?${new URLSearchParams({ returnTo })}`;
}
