// GET /auth/frontchannel-logout?sid=…: Entra's front-channel logout URL. When the user signs
// out of Entra (from this app or any other), Entra's logout page loads this URL in a hidden
// iframe with the `sid` of its session. The iframe is cross-site, so it carries none of our
// SameSite cookies: the BFF cannot clear the session here, and instead records that every
// session this Entra session started until now has ended (session/revocation.ts). The answer
// is the same whether the id was known or not: the page framing it learns nothing.
import { apiErrorCodes, paths } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import type { RouteOptions } from "../context.ts";
import { BffError } from "../errors.ts";
import type { IdpMetadata } from "../idp-metadata.ts";
import { clearIdentity, readUnexpiredIdentity } from "../session/identity.ts";
import { logId } from "../session/log-id.ts";
import { isIdpSessionId } from "../session/revocation.ts";

const FrontchannelQuerySchema = Type.Object({
  sid: Type.Optional(Type.String({ maxLength: 512 })),
  /** Entra sends only `sid`; OpenID Front-Channel Logout 1.0 allows `iss` beside it. */
  iss: Type.Optional(Type.String({ maxLength: 512 })),
});

export const frontchannelLogoutRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (
  app,
  { context },
) => {
  const { config, idp } = context;

  app.get(
    paths.frontchannelLogout,
    { schema: { querystring: FrontchannelQuerySchema } },
    async (request, reply) => {
      const { sid, iss } = request.query;
      if (!isIdpSessionId(sid)) {
        throw new BffError(
          apiErrorCodes.badRequest,
          400,
          "Front-channel logout needs `sid`, the identity provider's session id.",
        );
      }
      const metadata = idp.loaded ? idp.get() : undefined;
      if (iss !== undefined && metadata && !isIssuer(iss, metadata.issuer)) {
        throw new BffError(
          apiErrorCodes.badRequest,
          400,
          "Front-channel logout names another identity provider (`iss`).",
        );
      }

      const now = context.now();
      const known = await context.revocations.endIdpSession(sid, now);
      if (known) await context.accessTokens.forgetIdpSession(request.log, sid);
      // Same-site deployments may still send the cookies: then clear them too.
      if (readUnexpiredIdentity(request, now)?.idpSid === sid) {
        clearIdentity(request);
        context.tokens.clear(request, reply);
      }
      if (known) {
        request.log.info(
          { idpSession: logId(sid) },
          "front-channel logout: identity provider session ended",
        );
        context.metrics.signOut("frontchannel");
      } else {
        // Made-up, already expired, or signed in before a restart without REDIS_URL; debug
        // only, so that a flood of made-up ids does not flood the log either.
        request.log.debug(
          { idpSession: logId(sid) },
          "front-channel logout for an unknown identity provider session",
        );
      }

      return reply
        .headers({
          "content-type": "text/html; charset=utf-8",
          // Only the identity provider's logout page may frame this response.
          "content-security-policy": `default-src 'none'; frame-ancestors ${frameAncestors(config.authority, metadata).join(" ")}`,
          "referrer-policy": "no-referrer",
          "x-content-type-options": "nosniff",
          pragma: "no-cache",
        })
        .send("<!doctype html><title>Signed out</title>");
    },
  );
};

/** The identity provider's origins: the authority, and the pages it shows the browser. */
export function frameAncestors(authority: string, metadata: IdpMetadata | undefined): string[] {
  const urls = [authority, metadata?.authorizationEndpoint, metadata?.endSessionEndpoint];
  const origins = new Set<string>();
  for (const url of urls) {
    if (url === undefined) continue;
    try {
      origins.add(new URL(url).origin);
    } catch {
      // A malformed endpoint in the metadata is not an origin to trust.
    }
  }
  return [...origins];
}

/** `issuer` may be Entra's multi-tenant template (`…/{tenantid}/v2.0`). */
function isIssuer(iss: string, issuer: string): boolean {
  if (!issuer.includes("{tenantid}")) return iss === issuer;
  const [head, tail] = issuer.split("{tenantid}") as [string, string];
  return (
    iss.startsWith(head) &&
    iss.endsWith(tail) &&
    /^[0-9a-f-]{36}$/i.test(iss.slice(head.length, iss.length - tail.length))
  );
}
