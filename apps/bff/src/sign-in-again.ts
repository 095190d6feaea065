// The 401s that send the browser through sign-in again, keeping the session meanwhile:
// a Conditional Access claims challenge, or consent the user has not given (yet).
import { apiErrorCodes, paths } from "@entra-bff/contract";
import type { FastifyRequest } from "fastify";
import type { Config } from "./config.ts";
import { BffError } from "./errors.ts";
import { safeReturnTo } from "./return-to.ts";

/** 401 `claims_challenge`: sign in again satisfying `claims` (the decoded JSON). */
export function claimsChallenge(
  request: FastifyRequest,
  config: Config,
  scopes: readonly string[],
  claims: string,
): BffError {
  return new BffError(
    apiErrorCodes.claimsChallenge,
    401,
    "Conditional Access requires you to sign in again to continue.",
    {
      loginUrl: loginUrl(request, config, {
        ...extraScopesParam(config, scopes),
        claims: Buffer.from(claims, "utf8").toString("base64url"),
      }),
    },
  );
}

/**
 * 401 `consent_required`: sign in again asking for `scopes` (Entra then shows its consent
 * prompt for what is new). `scopes` are the session's own plus what the API needs, so the
 * new session loses none of them.
 */
export function consentRequired(
  request: FastifyRequest,
  config: Config,
  scopes: readonly string[],
): BffError {
  return new BffError(
    apiErrorCodes.consentRequired,
    401,
    "This app needs your consent to a permission before it can continue.",
    { loginUrl: loginUrl(request, config, extraScopesParam(config, scopes)) },
  );
}

/** Only what `/auth/login?scopes=` accepts: the incremental scopes (SCOPES are always asked). */
function extraScopesParam(config: Config, scopes: readonly string[]): { scopes?: string } {
  const extra = [...new Set(scopes.filter((scope) => config.incrementalScopes.includes(scope)))];
  return extra.length > 0 ? { scopes: extra.join(" ") } : {};
}

/**
 * `/auth/login` returning to the page the request came from when the browser said so
 * (the SPA, served with `no-referrer`, replaces `returnTo` with its own location).
 */
function loginUrl(request: FastifyRequest, config: Config, params: Record<string, string>): string {
  const referer = request.headers.referer;
  let returnTo = "/";
  if (referer?.startsWith(`${config.publicOrigin}/`)) {
    returnTo = safeReturnTo(referer.slice(config.publicOrigin.length), config.publicOrigin);
  }
  return `${paths.login}?${new URLSearchParams({ returnTo, ...params })}`;
}
