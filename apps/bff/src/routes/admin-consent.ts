// Admin-consent onboarding. GET /auth/admin-consent?tenant= sends a customer's administrator
// to Entra's /{tenant}/v2.0/adminconsent for the app's permissions; GET
// /auth/admin-consent/callback reads Entra's answer and shows the SPA's result page. Neither
// touches the session: consent says what the app may do in a tenant, never who is signed in.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { paths } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import Type from "typebox";
import type { Config } from "../config.ts";
import type { RouteOptions } from "../context.ts";
import { resourceOf } from "../downstream/declarations.ts";
import { clearCookie, setBoundedCookie, transactionCookieOptions } from "../session/cookies.ts";

/** The `error` codes the SPA's result page explains (`/admin-consent?result=failed&error=`). */
export const adminConsentErrors = {
  /** The tenant given is neither a tenant id (GUID) nor a domain, or is an alias. */
  invalidTenant: "invalid_tenant",
  /** ALLOWED_TENANTS does not list the tenant (asked for, or the one that consented). */
  tenantNotAllowed: "tenant_not_allowed",
  /** Entra answered for another tenant than the one asked for. */
  tenantMismatch: "tenant_mismatch",
  /** No admin-consent attempt of this browser matches `state`: expired, replayed or forged. */
  stateMismatch: "state_mismatch",
  /** Entra's metadata is not loaded: Entra is unreachable. */
  idpUnavailable: "idp_unavailable",
  /** Entra answered with an error the page has no words for, or with a malformed answer. */
  idpError: "idp_error",
} as const;

/** Entra's own `error` values passed through as they are; anything else is `idp_error`. */
const entraErrors = new Set([
  "access_denied",
  "consent_required",
  "invalid_request",
  "unauthorized_client",
]);

/** An attempt lives as long as a sign-in transaction: Entra's pages do not wait longer. */
const lifetimeSeconds = 600;

const tenantIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A DNS name with at least one dot: `contoso.onmicrosoft.com`, `contoso.com`. */
const domainPattern = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** Entra's aliases name no organization; an admin consents for one. */
const aliases = new Set(["common", "organizations", "consumers"]);

interface AdminConsentAttempt {
  v: 1;
  typ: "admin-consent";
  state: string;
  /** As asked for: a tenant id or a domain (lower case). */
  tenant: string;
  createdAt: number;
}

const StartQuerySchema = Type.Object({ tenant: Type.Optional(Type.String()) });
const CallbackQuerySchema = Type.Object({
  admin_consent: Type.Optional(Type.String()),
  tenant: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  error_description: Type.Optional(Type.String()),
});

export const adminConsentRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (
  app,
  { context },
) => {
  const { config, idp } = context;
  const codec = app.cookieCodec;
  const cookieName = `${config.secureCookies ? "__Host-" : ""}bff-admin-consent`;
  // Lax: Entra's answer is a cross-site top-level redirect, which a Strict cookie misses.
  const cookieOptions = transactionCookieOptions(config, lifetimeSeconds);
  const result = (reply: FastifyReply, query: Record<string, string>) =>
    reply
      .header("referrer-policy", "no-referrer")
      .redirect(
        `${config.publicOrigin}${paths.adminConsentResult}?${new URLSearchParams(query)}`,
        303,
      );
  const failed = (reply: FastifyReply, error: string) => result(reply, { result: "failed", error });

  app.get(
    paths.adminConsent,
    { schema: { querystring: StartQuerySchema }, attachValidation: true },
    async (request, reply) => {
      const tenant = request.validationError ? undefined : checkTenant(request.query.tenant);
      if (tenant === undefined) {
        request.log.info("admin consent refused: not a tenant id or domain");
        return failed(reply, adminConsentErrors.invalidTenant);
      }
      // A domain's tenant id is known only from Entra's answer, checked at the callback.
      if (tenantIdPattern.test(tenant) && !isAllowed(config, tenant)) {
        request.log.info({ tenant }, "admin consent refused: tenant not in ALLOWED_TENANTS");
        return failed(reply, adminConsentErrors.tenantNotAllowed);
      }
      if (!idp.loaded) {
        request.log.warn(
          { reason: idp.lastError },
          "admin consent refused: IdP metadata not loaded",
        );
        return failed(reply, adminConsentErrors.idpUnavailable);
      }
      const attempt: AdminConsentAttempt = {
        v: 1,
        typ: "admin-consent",
        state: randomBytes(32).toString("base64url"),
        tenant,
        createdAt: context.now(),
      };
      setBoundedCookie(reply, cookieName, codec.seal(attempt), cookieOptions);
      // The admin consent endpoint lives beside the authorize endpoint, on the host the
      // browser signs in at (the emulator's page origin differs from its https authority).
      const url = new URL(
        `/${encodeURIComponent(tenant)}/v2.0/adminconsent`,
        idp.get().authorizationEndpoint,
      );
      url.searchParams.set("client_id", config.clientId);
      url.searchParams.set("scope", appPermissions(config).join(" "));
      url.searchParams.set("redirect_uri", `${config.publicOrigin}${paths.adminConsentCallback}`);
      url.searchParams.set("state", attempt.state);
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    paths.adminConsentCallback,
    { schema: { querystring: CallbackQuerySchema }, attachValidation: true },
    async (request, reply) => {
      const query = request.validationError ? {} : request.query;
      const value = request.cookies[cookieName];
      // Single use: the attempt is forgotten whatever the answer says.
      if (value !== undefined) clearCookie(reply, cookieName, cookieOptions);
      const attempt =
        value === undefined ? undefined : codec.open(value, request.log, isAttempt)?.payload;
      const now = context.now();
      if (
        !attempt ||
        typeof query.state !== "string" ||
        !sameString(attempt.state, query.state) ||
        now - attempt.createdAt >= lifetimeSeconds * 1000 ||
        now < attempt.createdAt - 60_000
      ) {
        request.log.info(
          "admin consent answer refused: `state` matches no attempt of this browser",
        );
        return failed(reply, adminConsentErrors.stateMismatch);
      }
      // Entra's error answers carry admin_consent=True too: the error decides.
      if (query.error) {
        request.log.warn(
          {
            error: query.error.slice(0, 100),
            description: (query.error_description ?? "").slice(0, 300),
          },
          "admin consent not granted",
        );
        return failed(
          reply,
          entraErrors.has(query.error) ? query.error : adminConsentErrors.idpError,
        );
      }
      const granted = query.tenant?.toLowerCase();
      if (query.admin_consent !== "True" || !granted || !tenantIdPattern.test(granted)) {
        request.log.warn("admin consent answer malformed: no admin_consent=True and tenant id");
        return failed(reply, adminConsentErrors.idpError);
      }
      if (tenantIdPattern.test(attempt.tenant) && attempt.tenant !== granted) {
        request.log.warn(
          { asked: attempt.tenant, granted },
          "admin consent answered for another tenant than asked",
        );
        return failed(reply, adminConsentErrors.tenantMismatch);
      }
      // Entra granted it, but this deployment will not let that organization sign in.
      if (!isAllowed(config, granted)) {
        request.log.warn(
          { tenant: granted },
          "admin consent granted by a tenant not in ALLOWED_TENANTS",
        );
        return failed(reply, adminConsentErrors.tenantNotAllowed);
      }
      request.log.info({ tenant: granted }, "admin consent granted");
      return result(reply, { result: "granted", tenant: granted });
    },
  );
};

/** The tenant as asked for, lower case, when it is a tenant id or a domain; else undefined. */
function checkTenant(value: string | undefined): string | undefined {
  const tenant = value?.trim().toLowerCase();
  if (!tenant || aliases.has(tenant)) return undefined;
  return tenantIdPattern.test(tenant) || domainPattern.test(tenant) ? tenant : undefined;
}

function isAllowed(config: Config, tenantId: string): boolean {
  return config.allowedTenants === undefined || config.allowedTenants.includes(tenantId);
}

/**
 * `<resource>/.default` for every resource the app asks permissions of (SCOPES, incremental
 * scopes, the declared APIs'): the admin grants what the registration lists for each.
 */
export function appPermissions(config: Config): string[] {
  const resources = new Set(
    [...config.scopes, ...config.incrementalScopes].map((scope) => resourceOf(scope)),
  );
  return [...resources].map((resource) => `${resource}/.default`);
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isAttempt(data: unknown): data is AdminConsentAttempt {
  if (typeof data !== "object" || data === null) return false;
  const v = data as Partial<AdminConsentAttempt>;
  return (
    v.v === 1 &&
    v.typ === "admin-consent" &&
    typeof v.state === "string" &&
    typeof v.tenant === "string" &&
    typeof v.createdAt === "number"
  );
}
