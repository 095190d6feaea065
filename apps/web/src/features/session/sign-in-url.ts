/** Links that start a sign-in at the BFF and bring the user back to where they were. */
import { paths, signInErrorParam } from "@entra-bff/contract";

/**
 * The current path, query and `#fragment`, minus a sign-in error we already showed: the deep
 * link the BFF returns to after sign-in. The fragment never reaches a server by itself, so
 * it travels inside `returnTo`. The BFF still validates it (`returnTo` must be local).
 */
export function currentReturnTo(): string {
  const url = new URL(window.location.href);
  if (url.searchParams.has(signInErrorParam)) url.searchParams.delete(signInErrorParam);
  return `${url.pathname}${url.search}${url.hash}`;
}

export interface SignInOptions {
  /**
   * Incremental consent: Graph permissions to ask for on top of the ones granted at the
   * first sign-in, e.g. `["Mail.Read"]` before a feature that reads mail. Sent as ONE
   * space-separated `scopes` parameter. The BFF validates them against its allowlist of
   * scopes, so list exactly what the feature needs.
   */
  scopes?: readonly string[];
}

/**
 * `/auth/login?returnTo=…[&scopes=…]`, for a link or `navigateTo`. Does not check the scopes
 * against the BFF's allowlist (the BFF does); throws a TypeError for a scope that is empty or
 * contains whitespace, which would split into other scopes.
 *
 * @example signInUrl("/mail", { scopes: ["Mail.Read"] }) // "/auth/login?returnTo=%2Fmail&scopes=Mail.Read"
 */
export function signInUrl(
  returnTo: string = currentReturnTo(),
  options: SignInOptions = {},
): string {
  const query = new URLSearchParams({ returnTo });
  const scopes = options.scopes ?? [];
  for (const scope of scopes) {
    if (scope === "" || /\s/.test(scope)) {
      throw new TypeError(
        `A scope must be one non-empty word without spaces, got ${JSON.stringify(scope)}.`,
      );
    }
  }
  if (scopes.length > 0) query.set("scopes", scopes.join(" "));
  return `${paths.login}?${query}`;
}

/**
 * `/auth/login?returnTo=…&prompt=create`: self-service sign-up where the tenant offers it
 * (`features.signUp`, Entra External ID); the new account comes back signed in.
 */
export function signUpUrl(returnTo: string = currentReturnTo()): string {
  return `${paths.login}?${new URLSearchParams({ returnTo, prompt: "create" })}`;
}

/**
 * `/auth/edit-profile?returnTo=…`: B2C's profile editing user flow where it is set up
 * (`features.editProfile`); back to `returnTo` with the session's claims refreshed.
 */
export function editProfileUrl(returnTo: string = currentReturnTo()): string {
  return `${paths.editProfile}?${new URLSearchParams({ returnTo })}`;
}
