/**
 * POST /{tenant}/oauth2/v2.0/devicecode (the device's request) and the verification page
 * `/devicelogin` where the user types the code, then signs in and consents as at /authorize.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import {
  type AuthorizationRequest,
  appDisplayName,
  type EmulatorContext,
  findClient,
  isAppInTenant,
  isConsumersSegment,
  resolveTenant,
  segmentName,
} from "../context.ts";
import { deviceCodeLifetimeSeconds, findByUserCode, newUserCode } from "../device-code-grant.ts";
import { aadsts } from "../entra-error.ts";
import { deviceLoginFields, deviceLoginPage, pageSecurityHeaders } from "../pages.ts";
import { parseScopes } from "../scopes.ts";
import { clientCapabilities } from "./authorize.ts";
import { scopeProblem, showSignIn } from "./browser.ts";
import { applyDelay, checkTenant, sendEntraError, type TenantParams } from "./tenant.ts";

/** Where the user goes with the code (Entra's is https://microsoft.com/devicelogin). */
export const deviceLoginPath = "/devicelogin";

export function deviceCodeRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.post<{ Params: TenantParams; Body: Partial<Record<string, string>> }>(
    "/:tenant/oauth2/v2.0/devicecode",
    async (request, reply) => {
      await applyDelay(ctx, "token");
      const { tenant } = request.params;
      if (isConsumersSegment(tenant)) {
        return sendEntraError(
          ctx,
          request,
          reply,
          400,
          aadsts.notEnabledForConsumers("invalid_client"),
        );
      }
      if (!checkTenant(ctx, request, reply)) return reply;
      const body = request.body ?? {};
      const fail = (status: number, input: Parameters<typeof sendEntraError>[4]) =>
        sendEntraError(ctx, request, reply, status, input);
      if (!body.client_id) return fail(400, aadsts.missingParameter("client_id"));
      const segment = resolveTenant(ctx, tenant)!;
      const directory = segment.kind === "tenant" ? segment.tenant.tenantId : ctx.tenantId;
      const client = findClient(ctx, body.client_id);
      if (!client || !isAppInTenant(ctx, client, directory)) {
        return fail(400, aadsts.unknownClient(body.client_id, directory));
      }
      if (!body.scope) return fail(400, aadsts.missingParameter("scope"));
      const scopeError = scopeProblem(parseScopes(ctx, body.scope), appDisplayName(client));
      if (scopeError) return fail(400, scopeError);

      const deviceCode = `1.dev-only.${randomBytes(48).toString("base64url")}`;
      const userCode = newUserCode();
      ctx.deviceCodes.set(deviceCode, {
        deviceCode,
        userCode,
        tenant: segmentName(segment),
        clientId: client.clientId,
        scopes: body.scope.split(" ").filter(Boolean),
        clientCapabilities: clientCapabilities(body.claims),
        createdAt: ctx.now(),
        expiresAt: ctx.now() + deviceCodeLifetimeSeconds * 1000,
        status: "pending",
      });
      const verificationUri = `${ctx.browserUrl}${deviceLoginPath}`;
      return reply.header("cache-control", "no-store").send({
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: verificationUri,
        expires_in: deviceCodeLifetimeSeconds,
        interval: ctx.settings.deviceCodeIntervalSeconds,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      });
    },
  );

  app.get<{ Querystring: { otc?: string } }>(deviceLoginPath, async (request, reply) =>
    reply.headers(pageSecurityHeaders).send(
      deviceLoginPage({
        action: `${ctx.browserUrl}${deviceLoginPath}`,
        userCode: request.query.otc,
      }),
    ),
  );

  app.post<{ Body: Partial<Record<string, string>> }>(deviceLoginPath, async (request, reply) => {
    const typed = request.body?.[deviceLoginFields.userCode] ?? "";
    const device = findByUserCode(ctx, typed);
    const client = device && findClient(ctx, device.clientId);
    if (!device || !client) {
      return reply
        .code(400)
        .headers(pageSecurityHeaders)
        .send(
          deviceLoginPage({
            action: `${ctx.browserUrl}${deviceLoginPath}`,
            userCode: typed,
            error:
              "That code didn't work. Check the code and try again: it may have expired or been used.",
          }),
        );
    }
    const authorization: AuthorizationRequest = {
      purpose: "device-code",
      tenant: device.tenant,
      client,
      redirectUri: "",
      platform: "publicClient",
      responseTypes: ["code"],
      responseMode: "query",
      scopes: device.scopes,
      state: undefined,
      nonce: undefined,
      codeChallenge: undefined,
      loginHint: undefined,
      clientCapabilities: device.clientCapabilities,
      clientInfo: false,
      forceConsent: false,
      // The device cannot reach this browser's cookies: the user picks the account here.
      forceLogin: true,
      deviceCode: device.deviceCode,
      createdAt: ctx.now(),
    };
    return showSignIn(ctx, reply, device.tenant, authorization);
  });
}
