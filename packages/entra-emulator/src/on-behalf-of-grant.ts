/**
 * The on-behalf-of grant (`urn:ietf:params:oauth:grant-type:jwt-bearer`,
 * `requested_token_use=on_behalf_of`): a web API that received a user's access token trades
 * it, with its own credential, for a token to a downstream API as the same user.
 */
import { errors, jwtVerify } from "jose";
import { type EmulatorContext, findUser } from "./context.ts";
import { aadsts } from "./entra-error.ts";
import { clientCapabilities } from "./routes/authorize.ts";
import { requireConfidential, type TokenCaller } from "./token-caller.ts";
import { TokenError } from "./token-error.ts";
import { graphTokenIssuer, newSessionId, type TokenSubject } from "./tokens.ts";

/**
 * Checks the assertion as Entra does: signed by the emulator (a Graph token is not: its
 * signature covers a hashed nonce), issued by a hosted tenant, unexpired, for the caller
 * (its client id, or its Application ID URI in a v1.0 token), and for a user. Returns who
 * the new token is for; consent and the downstream resource are checked like any grant's.
 */
export async function onBehalfOfSubject(
  ctx: EmulatorContext,
  caller: TokenCaller,
  body: Partial<Record<string, string>>,
): Promise<TokenSubject> {
  requireConfidential(caller);
  if (body.requested_token_use !== "on_behalf_of") {
    throw new TokenError(400, aadsts.requestedTokenUse(body.requested_token_use));
  }
  if (!body.assertion) throw new TokenError(400, aadsts.missingParameter("assertion"));
  if (!body.scope) throw new TokenError(400, aadsts.missingParameter("scope"));
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(body.assertion, ctx.key.publicKey, {
      algorithms: ["RS256"],
      currentDate: new Date(ctx.now()),
      clockTolerance: 300,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenError(400, aadsts.assertionExpired());
    throw new TokenError(400, aadsts.assertionSignature());
  }
  const tenant = ctx.tenants.find((t) => t.tenantId === claims.tid);
  const issuers = tenant
    ? [`${ctx.url}/${tenant.tenantId}/v2.0`, graphTokenIssuer(tenant.tenantId)]
    : [];
  if (!issuers.includes(String(claims.iss))) throw new TokenError(400, aadsts.assertionSignature());
  const { client } = caller;
  const audiences = [client.clientId, client.applicationIdUri].filter(Boolean);
  if (!audiences.includes(String(claims.aud))) {
    throw new TokenError(400, aadsts.assertionAudience());
  }
  // An app-only token carries roles, not scp: there is no user to act for.
  if (typeof claims.scp !== "string" || typeof claims.oid !== "string") {
    throw new TokenError(400, aadsts.assertionWithoutUser());
  }
  const user = findUser(ctx, claims.oid);
  if (!user) throw new TokenError(400, aadsts.malformedGrant());
  const fromAssertion = Array.isArray(claims.xms_cc)
    ? claims.xms_cc.filter((c): c is string => typeof c === "string")
    : [];
  return {
    user,
    clientId: client.clientId,
    sid: typeof claims.sid === "string" ? claims.sid : newSessionId(),
    scope: body.scope.split(" ").filter(Boolean),
    clientCapabilities: [...new Set([...fromAssertion, ...clientCapabilities(body.claims)])],
    clientAuthentication: caller.authentication,
  };
}
