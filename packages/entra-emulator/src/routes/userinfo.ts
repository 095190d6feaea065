/**
 * GET/POST /oidc/userinfo: the OIDC UserInfo endpoint, which Entra hosts on Microsoft Graph
 * (`https://graph.microsoft.com/oidc/userinfo`). It takes a delegated Graph token that
 * carries `openid`, and answers the name claims, `sub` (the ID token's, pairwise per app),
 * the photo's Graph URL and, with `email`, the mail address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context.ts";
import { authenticateGraphCaller, invalidToken } from "../graph-auth.ts";
import { graphErrors, sendGraphError, stampRequestIds } from "../graph-errors.ts";
import { pairwiseSubject } from "../tokens.ts";

export function userinfoRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  void app.register(async (userinfo) => {
    userinfo.addHook("onRequest", async (request, reply) => stampRequestIds(request, reply));
    userinfo.setErrorHandler((error, request, reply) => sendGraphError(ctx, error, request, reply));
    const handler = (request: FastifyRequest, reply: FastifyReply) =>
      answerUserinfo(ctx, request, reply);
    userinfo.route({ method: ["GET", "POST"], url: "/oidc/userinfo", handler });
  });
}

async function answerUserinfo(ctx: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const caller = await authenticateGraphCaller(ctx, request);
  // App-only tokens have no user; a token without `openid` was not issued for userinfo.
  if (!caller.userOid || !caller.clientId) throw graphErrors.insufficientPrivileges();
  if (!caller.scopes.has("openid")) {
    throw invalidToken(ctx, "The token does not carry the openid permission userinfo requires.");
  }
  const user = caller.directory.find((person) => person.oid === caller.userOid);
  if (!user) throw graphErrors.resourceNotFound(caller.userOid);
  const profile = caller.scopes.has("profile");
  return reply.header("content-type", "application/json; charset=utf-8").send({
    sub: pairwiseSubject(user.oid, caller.clientId),
    ...(profile
      ? {
          name: user.displayName,
          family_name: user.surname,
          given_name: user.givenName,
          picture: `${ctx.url}/v1.0/me/photo/$value`,
        }
      : {}),
    ...(caller.scopes.has("email") && user.mail ? { email: user.mail } : {}),
  });
}
