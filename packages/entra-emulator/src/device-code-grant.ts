/**
 * The device authorization grant (RFC 8628) as Entra runs it: the device gets a code from
 * /devicecode, the user signs in elsewhere at the verification page with it, and the device
 * polls /token (`authorization_pending` until then) for the user's tokens.
 */
import type { FastifyReply } from "fastify";
import type { AuthorizationRequest, BrowserSession, EmulatorContext } from "./context.ts";
import { appDisplayName, findUser } from "./context.ts";
import { aadsts } from "./entra-error.ts";
import { deviceDonePage, pageSecurityHeaders } from "./pages.ts";
import { sameTenantSegment, type TokenCaller } from "./token-caller.ts";
import { TokenError } from "./token-error.ts";
import type { TokenSubject } from "./tokens.ts";

/** The code the user types: no vowels or look-alikes, as short codes should be. */
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ23456789";
export const deviceCodeLifetimeSeconds = 900;

export function newUserCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return [...bytes].map((b) => userCodeAlphabet[b % userCodeAlphabet.length]).join("");
}

/** The pending request a typed code names: ignoring case, spaces and dashes. */
export function findByUserCode(ctx: EmulatorContext, typed: string) {
  const wanted = typed.replace(/[\s-]/g, "").toUpperCase();
  if (!wanted) return undefined;
  for (const authorization of ctx.deviceCodes.values()) {
    if (
      authorization.userCode === wanted &&
      authorization.status === "pending" &&
      ctx.now() < authorization.expiresAt
    ) {
      return authorization;
    }
  }
  return undefined;
}

/** The user signed in and consented at the verification page: the device may have tokens. */
export function approveDeviceSignIn(
  ctx: EmulatorContext,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  session: BrowserSession,
) {
  const device = ctx.deviceCodes.get(authorization.deviceCode ?? "");
  if (device?.status === "pending" && ctx.now() < device.expiresAt) {
    device.status = "approved";
    device.userOid = session.userOid;
    device.sid = session.sid;
    device.authTime = session.authTime;
  }
  return reply
    .headers(pageSecurityHeaders)
    .send(deviceDonePage({ appName: appDisplayName(authorization.client), approved: true }));
}

export function declineDeviceSignIn(
  ctx: EmulatorContext,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
) {
  const device = ctx.deviceCodes.get(authorization.deviceCode ?? "");
  if (device?.status === "pending") device.status = "declined";
  return reply
    .headers(pageSecurityHeaders)
    .send(deviceDonePage({ appName: appDisplayName(authorization.client), approved: false }));
}

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:device_code`. A public client needs "Allow
 * public client flows"; a confidential one authenticates as usual. Single use.
 */
export function redeemDeviceCode(
  ctx: EmulatorContext,
  caller: TokenCaller,
  body: Partial<Record<string, string>>,
  tenant: string,
): TokenSubject {
  const { client } = caller;
  if (caller.authentication === "0" && !client.isFallbackPublicClient) {
    throw new TokenError(401, aadsts.notPublicClient());
  }
  if (!body.device_code) throw new TokenError(400, aadsts.missingParameter("device_code"));
  const device = ctx.deviceCodes.get(body.device_code);
  if (!device || device.clientId !== client.clientId) {
    throw new TokenError(400, aadsts.badVerificationCode());
  }
  if (!sameTenantSegment(device.tenant, tenant)) {
    throw new TokenError(400, aadsts.codeForOtherTenant());
  }
  if (ctx.now() >= device.expiresAt) throw new TokenError(400, aadsts.deviceCodeExpired());
  switch (device.status) {
    case "pending":
      throw new TokenError(400, aadsts.authorizationPending());
    case "declined":
      throw new TokenError(400, aadsts.authorizationDeclined());
    case "redeemed":
      throw new TokenError(400, aadsts.codeRedeemed());
    case "approved":
      break;
  }
  device.status = "redeemed";
  const user = findUser(ctx, device.userOid ?? "");
  if (!user) throw new TokenError(400, aadsts.malformedGrant());
  return {
    user,
    clientId: client.clientId,
    sid: device.sid!,
    scope: device.scopes,
    clientCapabilities: device.clientCapabilities,
    clientAuthentication: caller.authentication,
    authTime: device.authTime,
  };
}
