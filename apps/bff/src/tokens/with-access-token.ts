// Calls an API with the session's access token, and once more with a renewed one when the
// API refuses it (401: revoked, or a Continuous Access Evaluation claims challenge). The
// same policy for /api/me and every declared API.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { BffError } from "../errors.ts";
import { claimsChallenge } from "../sign-in-again.ts";
import type { AccessTokens, SignedInSession, TokenResource } from "./access-tokens.ts";

/** One call's outcome: done, or refused with 401 (and maybe a claims challenge). */
export type Attempt<T> = { ok: T } | { unauthorized: { claims: string | undefined } };

export interface WithAccessTokenOptions {
  /**
   * Whether the call can be made a second time (its request body was kept). When not, a
   * refused token is still renewed, and the client is told to retry.
   */
  replayable: boolean;
  /** The error when even a freshly renewed token is refused, or the call cannot be replayed. */
  refusedAfterRenewal: () => BffError;
}

export async function withAccessToken<T>(
  context: { config: Config; accessTokens: AccessTokens },
  request: FastifyRequest,
  reply: FastifyReply,
  session: SignedInSession,
  resource: TokenResource,
  call: (accessToken: string) => Promise<Attempt<T>>,
  options: WithAccessTokenOptions,
): Promise<T> {
  const { accessTokens, config } = context;
  const token = await accessTokens.get(request, reply, session, resource);
  const first = await call(token);
  if ("ok" in first) return first.ok;

  const { claims } = first.unauthorized;
  request.log.info(
    { resource: resource.id, claimsChallenge: claims !== undefined },
    "the API refused the access token (401); renewing",
  );
  // With the challenge's claims, or unless another request already replaced the token.
  const renewed = await accessTokens.get(request, reply, session, resource, {
    rejected: token,
    claims,
  });
  if (!options.replayable) throw options.refusedAfterRenewal();
  const second = await call(renewed);
  if ("ok" in second) return second.ok;
  const challenge = second.unauthorized.claims;
  if (challenge) throw claimsChallenge(request, config, session.tokens.scopes, challenge);
  throw options.refusedAfterRenewal();
}
