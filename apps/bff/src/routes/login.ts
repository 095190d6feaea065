// GET /auth/login?returnTo=/path: starts the authorization code flow.
import { paths, signInErrorCodes, signInErrorParam } from "@entra-bff/contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { beginAuthorization } from "../authorization.ts";
import type { RouteOptions } from "../context.ts";
import { safeReturnTo } from "../return-to.ts";

const LoginQuerySchema = Type.Object({
  returnTo: Type.Optional(Type.String()),
  /** A CAE claims challenge to satisfy (base64 or base64url JSON), from `/api/me`'s `loginUrl`. */
  claims: Type.Optional(Type.String({ maxLength: 4096 })),
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
    const { url, transaction } = await beginAuthorization(
      { config, metadata: idp.get(), log: request.log },
      { returnTo, claims: decodeClaims(request.query.claims) },
      context.now(),
    );
    transactions.save(request, reply, transaction, context.now());
    return reply.redirect(url, 302);
  });
};

/** Accepts the claims JSON base64- or base64url-encoded; anything else is ignored. */
function decodeClaims(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const json = Buffer.from(value, "base64").toString("utf8");
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? json
      : undefined;
  } catch {
    return undefined;
  }
}
