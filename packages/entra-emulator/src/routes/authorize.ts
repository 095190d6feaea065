/**
 * GET /authorize: validate, then sign the browser's one session user in (SSO) or show the
 * account picker; POST: the user's choice → the consent prompt when the app asks for a
 * permission the user has not granted, else the answer (code, ID token, access token) by
 * the request's response mode. POST /consent: the user's answer to that prompt.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Prompt, parseAuthorizeParameters } from "../authorize-request.ts";
import {
  type AuthorizationRequest,
  appDisplayName,
  type BrowserSession,
  type EmulatorContext,
  findClient,
  findUser,
  isAppInTenant,
  isConsumersSegment,
  isTenantAdmin,
  resolveTenant,
  segmentName,
  type TenantSegment,
  tenantOf,
  usersAt,
} from "../context.ts";
import { b2cErrors, findUserFlow } from "../customer-tenants.ts";
import { b2cClientInfo, b2cTokenResource } from "../customer-tokens.ts";
import {
  accessTokenFor,
  authorizeIdToken,
  grantedValues,
  tokenTarget,
} from "../delegated-tokens.ts";
import { approveDeviceSignIn, declineDeviceSignIn } from "../device-code-grant.ts";
import { aadsts, type EntraErrorInput } from "../entra-error.ts";
import {
  adminApprovalPage,
  consentFields,
  consentPage,
  pageSecurityHeaders,
  signInFields,
} from "../pages.ts";
import { redirectUriPlatform } from "../redirect-uri.ts";
import {
  graphResource,
  type Permission,
  parseScopes,
  permissionDescription,
  permissionName,
  requestedPermissions,
} from "../scopes.ts";
import { TokenError } from "../token-error.ts";
import { clientInfo, newAuthorizationCode, newSessionId, type TokenSubject } from "../tokens.ts";
import type { TestUser } from "../types.ts";
import { answerAdminConsent, declineAdminConsent } from "./admin-consent.ts";
import {
  currentSession,
  expiredRequest,
  forgetStale,
  hintedUpn,
  redirectWithError,
  respond,
  sessionCookie,
  sessionCookiePaths,
  showError,
  showSignIn,
  takeLive,
} from "./browser.ts";
import { showPasswordReset, showProfileEdit, showSignUp } from "./customer-pages.ts";
import { applyDelay, type TenantParams } from "./tenant.ts";

/** Authorization codes live ~10 minutes at Entra. */
export const codeLifetimeMs = 10 * 60_000;

type AuthorizeQuery = Partial<Record<string, string>>;

type AuthorizeParams = TenantParams & { policy?: string };

export function authorizeRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  const authorize = async (
    request: FastifyRequest<{ Params: AuthorizeParams; Querystring: AuthorizeQuery }>,
    reply: FastifyReply,
  ) => {
    await applyDelay(ctx, "authorize");
    const { tenant } = request.params;
    const query = request.query;
    // B2C: the user flow to run, from the path (or B2C's older `?p=`).
    let policy: string | undefined;
    if (ctx.b2c) {
      const named = request.params.policy ?? query.p;
      policy = findUserFlow(ctx.b2c, named)?.policy;
      if (!policy) {
        return showError(
          reply,
          404,
          named ? b2cErrors.policyNotFound(named, tenant) : b2cErrors.noPolicy(tenant),
        );
      }
    }
    if (isConsumersSegment(tenant)) return showError(reply, 400, aadsts.notEnabledForConsumers());
    const segment = resolveTenant(ctx, tenant);
    if (!segment) return showError(reply, 400, aadsts.tenantNotFound(tenant));
    if (!query.client_id) return showError(reply, 400, aadsts.missingParameter("client_id"));
    const client = findClient(ctx, query.client_id);
    const directory = segment.kind === "tenant" ? segment.tenant.tenantId : ctx.tenantId;
    // A single-tenant app does not exist in another tenant's directory.
    if (!client || !isAppInTenant(ctx, client, directory)) {
      return showError(reply, 400, aadsts.unknownClient(query.client_id, directory));
    }
    if (!query.redirect_uri) {
      return showError(reply, 400, aadsts.missingParameter("redirect_uri"));
    }
    // Never redirect to an unregistered URI: errors would leak to whoever named it.
    const platform = redirectUriPlatform(client, query.redirect_uri);
    if (!platform) {
      return showError(reply, 400, aadsts.redirectUriMismatch(query.redirect_uri, client.clientId));
    }
    const parsed = parseAuthorizeParameters(ctx, query, client, platform);
    if (!parsed.ok) {
      return redirectWithError(
        ctx,
        reply,
        query.redirect_uri,
        parsed.error,
        query.state,
        {},
        parsed.mode,
      );
    }
    const { prompt, ...parameters } = parsed.value;
    const back = (input: EntraErrorInput) =>
      redirectWithError(
        ctx,
        reply,
        query.redirect_uri!,
        input,
        query.state,
        {},
        parsed.value.responseMode,
      );
    if (ctx.b2c) {
      // B2C knows no `create` prompt (AADB2C90043), and no Graph for its users.
      if (prompt === "create") return back(b2cErrors.invalidPrompt());
      try {
        b2cTokenResource(ctx, parameters.scopes.join(" "));
      } catch (error) {
        if (error instanceof TokenError) return back(error.input);
        throw error;
      }
    }
    const authorization: AuthorizationRequest = {
      purpose: "sign-in",
      tenant: segmentName(segment),
      client,
      redirectUri: query.redirect_uri,
      platform,
      ...parameters,
      state: query.state,
      nonce: query.nonce,
      loginHint: query.login_hint,
      clientCapabilities: clientCapabilities(query.claims),
      clientInfo: query.client_info === "1",
      forceConsent: prompt === "consent",
      forceLogin: prompt === "login",
      ...(policy ? { policy } : {}),
      createdAt: ctx.now(),
    };
    // B2C's password reset starts on its own page; External ID's `prompt=create` on sign-up.
    if (ctx.b2c && policy === ctx.b2c.policies.passwordReset) {
      return showPasswordReset(ctx, reply, tenant, authorization);
    }
    if (ctx.tenantKind === "external" && prompt === "create") {
      return showSignUp(ctx, reply, tenant, authorization);
    }

    const session = currentSession(ctx, request);
    if (prompt === "none") return signInSilently(ctx, reply, authorization, segment, session);
    // Entra signs the browser's one session user in without the picker, unless the app
    // asks for the picker, a fresh sign-in, or (by login_hint) someone else.
    const single = singleSignOnUser(ctx, authorization, segment, session, prompt);
    if (single) {
      return continueAs(ctx, request, reply, tenant, authorization, single, { fresh: false });
    }
    return showSignIn(ctx, reply, tenant, authorization);
  };
  app.get("/:tenant/oauth2/v2.0/authorize", authorize);
  if (ctx.b2c) app.get("/:tenant/:policy/oauth2/v2.0/authorize", authorize);

  const pickAccount = async (
    request: FastifyRequest<{ Params: AuthorizeParams; Body: Partial<Record<string, string>> }>,
    reply: FastifyReply,
  ) => {
    const body = request.body ?? {};
    const authorization = takeLive(ctx, ctx.transactions, body[signInFields.transaction]);
    if (!authorization) return showError(reply, 400, expiredRequest("sign-in"));
    if (body[signInFields.cancel]) return cancelled(ctx, reply, authorization);
    const signUpSignIn = ctx.b2c
      ? authorization.policy === ctx.b2c.policies.signUpSignIn
      : ctx.tenantKind === "external";
    // B2C's "Forgot your password?" without self-service reset in the user flow: the app
    // is told to run its password reset user flow.
    if (body[signInFields.forgotPassword] && ctx.b2c && signUpSignIn) {
      return redirectWithError(
        ctx,
        reply,
        authorization.redirectUri,
        b2cErrors.forgotPassword(),
        authorization.state,
        {},
        authorization.responseMode,
      );
    }
    if (body[signInFields.signUp] && signUpSignIn) {
      return showSignUp(ctx, reply, request.params.tenant, authorization);
    }
    const segment = resolveTenant(ctx, authorization.tenant)!;
    const login = body[signInFields.user] ?? "";
    const user = findUser(ctx, login);
    if (!user || !usersAt(ctx, segment).includes(user)) {
      return showError(reply, 400, {
        error: "invalid_request",
        code: 50034,
        message: `The user account ${login} does not exist in the '${segmentName(segment)}' directory.`,
      });
    }
    const { client } = authorization;
    const userTenant = tenantOf(ctx, user);
    if (!isAppInTenant(ctx, client, userTenant.tenantId)) {
      return showError(
        reply,
        400,
        aadsts.userNotInTenant(
          user.userPrincipalName,
          userTenant.tenantId,
          client.homeTenantId ?? ctx.tenantId,
          client.clientId,
          appDisplayName(client),
        ),
      );
    }
    // Picking an account is the emulator's stand-in for entering its credentials.
    return continueAs(ctx, request, reply, request.params.tenant, authorization, user, {
      fresh: true,
    });
  };
  app.post("/:tenant/oauth2/v2.0/authorize", pickAccount);
  if (ctx.b2c) app.post("/:tenant/:policy/oauth2/v2.0/authorize", pickAccount);

  app.post<{ Params: TenantParams; Body: Partial<Record<string, string>> }>(
    "/:tenant/oauth2/v2.0/consent",
    async (request, reply) => {
      const body = request.body ?? {};
      const pending = takeLive(ctx, ctx.pendingConsents, body[consentFields.request]);
      if (!pending) return showError(reply, 400, expiredRequest("consent"));
      // The prompt belongs to the browser that signed in, and only while that session lasts.
      const session = currentSession(ctx, request);
      if (!session || session.sid !== pending.sid || session.userOid !== pending.userOid) {
        return showError(reply, 400, {
          error: "invalid_request",
          code: 90015,
          message:
            "The consent request does not belong to this browser's sign-in session. Start the sign-in again.",
        });
      }
      const { authorization } = pending;
      const decision = body[consentFields.decision];
      if (decision === consentFields.cancel) {
        if (authorization.purpose === "admin-consent" && pending.adminApproval) {
          return declineAdminConsent(ctx, reply, authorization, aadsts.adminConsentRequired());
        }
        return cancelled(ctx, reply, authorization);
      }
      if (decision === consentFields.switchAccount && pending.adminApproval) {
        return showSignIn(ctx, reply, request.params.tenant, {
          ...authorization,
          createdAt: ctx.now(),
        });
      }
      if (decision !== consentFields.accept || pending.adminApproval) {
        const allowed = pending.adminApproval
          ? [consentFields.switchAccount, consentFields.cancel]
          : [consentFields.accept, consentFields.cancel];
        return showError(reply, 400, {
          error: "invalid_request",
          code: 900144,
          message: `The consent form must send ${allowed.map((d) => `${consentFields.decision}=${d}`).join(" or ")}. Start the sign-in again.`,
        });
      }
      if (authorization.purpose === "admin-consent") {
        return answerAdminConsent(ctx, reply, pending);
      }
      ctx.consents.grant(authorization.client.clientId, pending.userOid, pending.permissions);
      return completeSignIn(ctx, reply, authorization, session);
    },
  );

  // The v1.0 endpoint: the emulator speaks v2.0 only, and says so on a page.
  app.get<{ Params: TenantParams }>("/:tenant/oauth2/authorize", async (request, reply) =>
    showError(reply, 400, {
      error: "invalid_request",
      code: 900144,
      message: `This emulator hosts Entra's v2.0 authorization endpoint only: /${request.params.tenant}/oauth2/v2.0/authorize (with 'scope' rather than 'resource').`,
    }),
  );
}

/**
 * `prompt=none`: the session's user, without any page; else `login_required` (no session,
 * one in another tenant, or a `login_hint` naming someone else) or `consent_required`.
 */
function signInSilently(
  ctx: EmulatorContext,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  segment: TenantSegment,
  session: BrowserSession | undefined,
) {
  const back = (input: EntraErrorInput) =>
    redirectWithError(
      ctx,
      reply,
      authorization.redirectUri,
      input,
      authorization.state,
      {},
      authorization.responseMode,
    );
  const user = session && findUser(ctx, session.userOid);
  // A session in another tenant is no session here.
  if (!session || !user || !usersAt(ctx, segment).includes(user)) {
    return back(aadsts.loginRequired());
  }
  if (!isAppInTenant(ctx, authorization.client, tenantOf(ctx, user).tenantId)) {
    return back(aadsts.loginRequired());
  }
  if (!hintMatches(ctx, authorization.loginHint, user)) return back(aadsts.loginRequired());
  const { client } = authorization;
  if (permissionsToConsent(ctx, authorization, user).length > 0) {
    return back(aadsts.consentRequiredSilently(client.clientId, appDisplayName(client)));
  }
  return completeSignIn(ctx, reply, authorization, session);
}

/** The user Entra would sign in without showing the picker, if any. */
function singleSignOnUser(
  ctx: EmulatorContext,
  authorization: AuthorizationRequest,
  segment: TenantSegment,
  session: BrowserSession | undefined,
  prompt: Prompt | undefined,
): TestUser | undefined {
  if (!session || authorization.forceLogin) return undefined;
  if (prompt === "select_account" || prompt === "create") return undefined;
  const user = findUser(ctx, session.userOid);
  if (!user || !usersAt(ctx, segment).includes(user)) return undefined;
  if (!isAppInTenant(ctx, authorization.client, tenantOf(ctx, user).tenantId)) return undefined;
  return hintMatches(ctx, authorization.loginHint, user) ? user : undefined;
}

/** No `login_hint`, or one naming this user (by UPN, or the `login_hint` claim). */
function hintMatches(ctx: EmulatorContext, hint: string | undefined, user: TestUser): boolean {
  if (!hint) return true;
  return hintedUpn(ctx, hint)?.toLowerCase() === user.userPrincipalName.toLowerCase();
}

/**
 * The account is known (picked, or the session's): sign the browser in as it, then ask for
 * consent (or an admin) if needed, else answer the app.
 */
export function continueAs(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  tenant: string,
  authorization: AuthorizationRequest,
  user: TestUser,
  options: { fresh: boolean },
) {
  const session = signInBrowser(ctx, request, reply, user, {
    fresh: options.fresh || authorization.forceLogin,
  });
  // Like Entra, the user is signed in before the prompt: declining keeps the session.
  if (authorization.purpose === "admin-consent") {
    return askAdminConsent(ctx, reply, tenant, authorization, user, session);
  }
  // B2C's profile editing user flow: the signed-in user's attributes come next.
  if (ctx.b2c && authorization.policy === ctx.b2c.policies.profileEdit) {
    return showProfileEdit(ctx, reply, tenant, authorization, user, session);
  }
  const permissions = permissionsToConsent(ctx, authorization, user);
  if (permissions.length === 0) return completeSignIn(ctx, reply, authorization, session);
  const adminApproval = !tenantOf(ctx, user).usersCanConsent && !isTenantAdmin(ctx, user);
  return showConsent(ctx, reply, tenant, {
    authorization,
    user,
    session,
    permissions,
    adminApproval,
  });
}

/**
 * The requested permissions the prompt must list: those neither the user nor an admin of
 * the user's tenant granted this app, or with `prompt=consent` all of them. Signing in
 * itself needs Graph `User.Read` ("Sign you in and read your profile"), asked for when no
 * Graph permission is named.
 */
function permissionsToConsent(
  ctx: EmulatorContext,
  authorization: AuthorizationRequest,
  user: TestUser,
): Permission[] {
  const { client } = authorization;
  const parsed = parseScopes(ctx, authorization.scopes.join(" "));
  const resources = parsed.resources.some((r) => r.resource.kind === "graph")
    ? parsed.resources
    : [
        { resource: graphResource, values: ["User.Read"], asDefault: false, prefix: "" },
        ...parsed.resources,
      ];
  const requested = requestedPermissions(ctx, client, resources);
  if (authorization.forceConsent) return requested;
  return ctx.consents.missing(
    client.clientId,
    { oid: user.oid, tenantId: tenantOf(ctx, user).tenantId },
    requested,
  );
}

/**
 * The emulator's session for `user`: the current one when it is theirs, else a new one.
 * `fresh` (credentials entered, or `prompt=login`) moves `auth_time`.
 */
export function signInBrowser(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  user: TestUser,
  options: { fresh: boolean },
): BrowserSession {
  const existing = currentSession(ctx, request);
  const session: BrowserSession =
    existing?.userOid === user.oid
      ? existing
      : { sid: newSessionId(), userOid: user.oid, clientIds: new Set(), authTime: ctx.now() };
  if (options.fresh) session.authTime = ctx.now();
  ctx.sessions.set(session.sid, session);
  for (const path of sessionCookiePaths(ctx)) {
    reply.setCookie(sessionCookie, session.sid, { path, httpOnly: true, sameSite: "lax" });
  }
  return session;
}

/** Admin consent: only an administrator of the tenant is asked; anyone else needs one. */
function askAdminConsent(
  ctx: EmulatorContext,
  reply: FastifyReply,
  tenant: string,
  authorization: AuthorizationRequest,
  user: TestUser,
  session: BrowserSession,
) {
  const permissions = requestedPermissions(
    ctx,
    authorization.client,
    parseScopes(ctx, authorization.scopes.join(" ")).resources,
  );
  return showConsent(ctx, reply, tenant, {
    authorization,
    user,
    session,
    permissions,
    adminApproval: !isTenantAdmin(ctx, user),
  });
}

function showConsent(
  ctx: EmulatorContext,
  reply: FastifyReply,
  tenant: string,
  prompt: {
    authorization: AuthorizationRequest;
    user: TestUser;
    session: BrowserSession;
    permissions: Permission[];
    adminApproval: boolean;
  },
) {
  const { authorization, user, permissions } = prompt;
  forgetStale(ctx);
  const pending = randomUUID();
  ctx.pendingConsents.set(pending, {
    authorization,
    userOid: user.oid,
    sid: prompt.session.sid,
    permissions,
    adminApproval: prompt.adminApproval,
    createdAt: ctx.now(),
  });
  const listed = permissions.map((permission) => ({
    scope: permissionName(ctx, permission),
    description: permissionDescription(ctx, permission),
  }));
  const action = `${ctx.browserUrl}/${tenant}/oauth2/v2.0/consent`;
  const appName = appDisplayName(authorization.client);
  if (prompt.adminApproval) {
    const error = aadsts.adminConsentRequired();
    return reply.headers(pageSecurityHeaders).send(
      adminApprovalPage({
        action,
        request: pending,
        appName,
        user,
        code: `AADSTS${error.code}`,
        message: `AADSTS${error.code}: ${error.message}`,
        permissions: listed,
      }),
    );
  }
  return reply.headers(pageSecurityHeaders).send(
    consentPage({
      action,
      request: pending,
      clientId: authorization.client.clientId,
      appName,
      user,
      permissions: listed,
      ...(authorization.purpose === "admin-consent"
        ? { organization: tenantOf(ctx, user).displayName }
        : {}),
    }),
  );
}

/**
 * Cancel on the sign-in form, the consent prompt or "Need admin approval" (and a customer
 * tenant's sign-up page; B2C answers its own AADB2C90091).
 */
export function cancelled(
  ctx: EmulatorContext,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
) {
  if (authorization.purpose === "admin-consent") {
    return declineAdminConsent(ctx, reply, authorization);
  }
  if (authorization.purpose === "device-code")
    return declineDeviceSignIn(ctx, reply, authorization);
  return redirectWithError(
    ctx,
    reply,
    authorization.redirectUri,
    ctx.b2c ? b2cErrors.cancelled() : aadsts.userCancelled(),
    authorization.state,
    {},
    authorization.responseMode,
  );
}

/**
 * The user is signed in and consented: answer the app with what `response_type` asked (a
 * code, an ID token bound to the nonce and to the code or token beside it, an access
 * token), `client_info` when asked, `state` and `session_state`, by its response mode.
 * A device code sign-in instead lets the polling device have its tokens.
 */
export async function completeSignIn(
  ctx: EmulatorContext,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  session: BrowserSession,
) {
  const user = findUser(ctx, session.userOid)!;
  const { client } = authorization;
  session.clientIds.add(client.clientId);
  if (authorization.purpose === "device-code") {
    return approveDeviceSignIn(ctx, reply, authorization, session);
  }
  const params: [string, string][] = [];
  let code: string | undefined;
  if (authorization.responseTypes.includes("code")) {
    code = newAuthorizationCode();
    ctx.codes.set(code, {
      tenant: authorization.tenant,
      clientId: client.clientId,
      redirectUri: authorization.redirectUri,
      platform: authorization.platform,
      codeChallenge: authorization.codeChallenge,
      scopes: authorization.scopes,
      nonce: authorization.nonce,
      userOid: session.userOid,
      sid: session.sid,
      authTime: session.authTime,
      clientCapabilities: authorization.clientCapabilities,
      ...(authorization.policy ? { policy: authorization.policy } : {}),
      createdAt: ctx.now(),
      redeemed: false,
    });
    params.push(["code", code]);
  }
  const subject: TokenSubject = {
    user,
    clientId: client.clientId,
    sid: session.sid,
    nonce: authorization.nonce,
    scope: authorization.scopes,
    clientCapabilities: authorization.clientCapabilities,
    clientAuthentication: "0",
    authTime: session.authTime,
    policy: authorization.policy,
  };
  let accessToken: string | undefined;
  if (authorization.responseTypes.includes("token")) {
    try {
      const target = tokenTarget(ctx, user, authorization.scopes.join(" "));
      const values = grantedValues(ctx, client, user, target.resource);
      const access = await accessTokenFor(ctx, subject, target, values);
      accessToken = access.token;
      params.push(
        ["access_token", access.token],
        ["token_type", "Bearer"],
        ["expires_in", String(access.expiresIn)],
        ["scope", access.scope.join(" ")],
      );
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      return redirectWithError(
        ctx,
        reply,
        authorization.redirectUri,
        error.input,
        authorization.state,
        {},
        authorization.responseMode,
      );
    }
  }
  if (authorization.responseTypes.includes("id_token")) {
    const alongside = { ...(code ? { code } : {}), ...(accessToken ? { accessToken } : {}) };
    params.push(["id_token", await authorizeIdToken(ctx, subject, alongside)]);
  }
  if (authorization.clientInfo) {
    params.push([
      "client_info",
      ctx.b2c ? b2cClientInfo(ctx, subject) : clientInfo(user.oid, tenantOf(ctx, user).tenantId),
    ]);
  }
  if (authorization.state !== undefined) params.push(["state", authorization.state]);
  params.push(["session_state", session.sid]);
  return respond(reply, authorization.redirectUri, authorization.responseMode, params);
}

/** The client capabilities (e.g. CP1) a `claims` request asks for via `xms_cc`. */
export function clientCapabilities(claims: string | undefined): string[] {
  if (!claims) return [];
  try {
    const values = JSON.parse(claims)?.access_token?.xms_cc?.values;
    return Array.isArray(values) ? values.filter((v) => typeof v === "string") : [];
  } catch {
    return [];
  }
}
