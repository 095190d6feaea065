/**
 * Showing the customer tenants' self-asserted pages: sign-up (External ID's `prompt=create`,
 * B2C's "Sign up now"), and B2C's profile edit and password reset user flows. Each page holds
 * the request it continues server-side, under a single-use id.
 */
import { randomUUID } from "node:crypto";
import type { FastifyReply } from "fastify";
import type {
  AuthorizationRequest,
  BrowserSession,
  CustomerPage,
  EmulatorContext,
} from "../context.ts";
import { pageSecurityHeaders, passwordResetPage, profileEditPage, signUpPage } from "../pages.ts";
import type { TestUser } from "../types.ts";
import { forgetStale, pageAction } from "./browser.ts";

/** The path step each page posts to, under the request's tenant (and B2C user flow). */
export const customerPageSteps = {
  "sign-up": "signup",
  "profile-edit": "profile",
  "password-reset": "password",
} as const satisfies Record<CustomerPage["kind"], string>;

function openPage(ctx: EmulatorContext, page: Omit<CustomerPage, "createdAt">): string {
  forgetStale(ctx);
  const id = randomUUID();
  ctx.customerPages.set(id, { ...page, createdAt: ctx.now() });
  return id;
}

export function showSignUp(
  ctx: EmulatorContext,
  reply: FastifyReply,
  tenant: string,
  authorization: AuthorizationRequest,
  retry?: { values: Record<string, string>; error: string },
) {
  const request = openPage(ctx, { kind: "sign-up", authorization });
  return reply
    .code(retry ? 400 : 200)
    .headers(pageSecurityHeaders)
    .send(
      signUpPage({
        action: pageAction(ctx, tenant, authorization, customerPageSteps["sign-up"]),
        request,
        tenantKind: ctx.tenantKind,
        ...(retry ? { values: retry.values, error: retry.error } : {}),
      }),
    );
}

/** Bound to the signed-in user and their browser session, like the consent prompt. */
export function showProfileEdit(
  ctx: EmulatorContext,
  reply: FastifyReply,
  tenant: string,
  authorization: AuthorizationRequest,
  user: TestUser,
  session: BrowserSession,
  retry?: { values: Record<string, string>; error: string },
) {
  const request = openPage(ctx, {
    kind: "profile-edit",
    authorization,
    userOid: user.oid,
    sid: session.sid,
  });
  return reply
    .code(retry ? 400 : 200)
    .headers(pageSecurityHeaders)
    .send(
      profileEditPage({
        action: pageAction(ctx, tenant, authorization, customerPageSteps["profile-edit"]),
        request,
        user,
        ...(retry ? { values: retry.values, error: retry.error } : {}),
      }),
    );
}

export function showPasswordReset(
  ctx: EmulatorContext,
  reply: FastifyReply,
  tenant: string,
  authorization: AuthorizationRequest,
  retry?: { email: string; error: string },
) {
  const request = openPage(ctx, { kind: "password-reset", authorization });
  return reply
    .code(retry ? 400 : 200)
    .headers(pageSecurityHeaders)
    .send(
      passwordResetPage({
        action: pageAction(ctx, tenant, authorization, customerPageSteps["password-reset"]),
        request,
        ...(retry ? { email: retry.email, error: retry.error } : {}),
      }),
    );
}
