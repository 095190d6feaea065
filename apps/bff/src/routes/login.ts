// GET /auth/login?returnTo=/path: starts the authorization code flow.
import { paths, signInErrorCodes, signInErrorParam } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { beginAuthorization } from "../authorization.ts";
import type { Config } from "../config.ts";
import type { RouteOptions } from "../context.ts";
import { safeReturnTo } from "../return-to.ts";
import { readUnexpiredIdentity } from "../session/identity.ts";

const LoginQuerySchema = Type.Object({
  returnTo: Type.Optional(Type.String()),
  /** A CAE claims challenge to satisfy (base64 or base64url JSON), from `/api/me`'s `loginUrl`. */
  claims: Type.Optional(Type.String({ maxLength: 4096 })),
  /** Incremental consent: space-separated scopes beyond SCOPES, each in INCREMENTAL_SCOPES. */
  scopes: Type.Optional(Type.String({ maxLength: 1024 })),
  /** `create`: External ID's self-service sign-up (a "Create account" button). Nothing else. */
  prompt: Type.Optional(Type.String({ maxLength: 64 })),
});

export const loginRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { context }) => {
  const { config, idp, transactions } = context;

  app.get(paths.login, { schema: { querystring: LoginQuerySchema } }, async (request, reply) => {
    const returnTo = safeReturnTo(request.query.returnTo, config.publicOrigin);
    if (!idp.loaded) {
      request.log.warn(
        { reason: idp.lastError },
        "sign-in refused: identity provider metadata not loaded",
      );
      return reply.redirect(
        `${config.publicOrigin}/?${signInErrorParam}=${signInErrorCodes.idpUnavailable}`,
        303,
      );
    }
    const requested = parseScopeList(request.query.scopes);
    const extraScopes = allowedScopes(requested, config);
    if (extraScopes === undefined) {
      request.log.warn({ scopes: requested.slice(0, 10) }, "sign-in refused: scope not allowed");
      return reply.redirect(
        `${config.publicOrigin}/?${signInErrorParam}=${signInErrorCodes.scopeNotAllowed}`,
        303,
      );
    }
    // Only sign-up, and only where the tenant offers it: any other prompt would let a link
    // change how Entra treats the user's sign-in (e.g. `none`, `consent`).
    const { prompt } = request.query;
    if (prompt !== undefined && (prompt !== "create" || config.tenantKind !== "external")) {
      request.log.warn(
        { prompt: prompt.slice(0, 64), tenantKind: config.tenantKind },
        "sign-in refused: prompt not allowed",
      );
      return reply.redirect(
        `${config.publicOrigin}/?${signInErrorParam}=${signInErrorCodes.promptNotAllowed}`,
        303,
      );
    }
    const claims = decodeClaims(request.query.claims);
    const current = readUnexpiredIdentity(request, context.now());
    // Signing in again to satisfy a challenge or add consent: Entra can skip its account
    // picker for the user already signed in. Only a hint; the callback trusts the ID token.
    const loginHint = claims || extraScopes.length > 0 ? current?.loginHint : undefined;
    const { url, transaction } = await beginAuthorization(
      { config, metadata: idp.get(), log: request.log },
      {
        returnTo,
        claims,
        extraScopes,
        loginHint,
        ...(prompt === "create" ? { prompt } : {}),
        // The new session replaces this one: a late response that re-sets its cookies must
        // not bring it back.
        ...(current
          ? {
              previousSession: {
                sid: current.sid,
                absoluteExpiresAt: current.absoluteExpiresAt,
              },
            }
          : {}),
      },
      context.now(),
    );
    transactions.save(request, reply, transaction, context.now());
    return reply.redirect(url, 302);
  });
};

function parseScopeList(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter(Boolean);
}

/**
 * The requested scopes beyond SCOPES, spelled as INCREMENTAL_SCOPES spells them; `undefined`
 * when any is not allowed. Scope names are case-insensitive at Entra.
 */
function allowedScopes(requested: string[], config: Config): string[] | undefined {
  const extra = new Set<string>();
  for (const scope of requested) {
    const lower = scope.toLowerCase();
    if (config.scopes.some((s) => s.toLowerCase() === lower)) continue;
    const allowed = config.incrementalScopes.find((s) => s.toLowerCase() === lower);
    if (allowed === undefined) return undefined;
    extra.add(allowed);
  }
  return [...extra];
}

/**
 * A claims request (OIDC Core 5.5) base64- or base64url-encoded, as `/api/me`'s `loginUrl`
 * carries it: a JSON object whose members are `access_token`, `id_token` or `userinfo`,
 * each an object. Anything else is ignored: MSAL merges its own CP1 capability into this
 * object and throws on other shapes.
 */
function decodeClaims(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const json = Buffer.from(value, "base64").toString("utf8");
    const parsed: unknown = JSON.parse(json);
    if (!isPlainObject(parsed)) return undefined;
    const members = Object.entries(parsed);
    const wellFormed =
      members.length > 0 &&
      members.every(([name, request]) => claimsMembers.has(name) && isPlainObject(request));
    return wellFormed ? json : undefined;
  } catch {
    return undefined;
  }
}

const claimsMembers = new Set(["access_token", "id_token", "userinfo"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
