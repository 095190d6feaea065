// A request that needs a signed-in user: its identity and the refresh token cookie bound to
// it, or 401 `not_authenticated` with every session cookie cleared.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { BffContext } from "../context.ts";
import { notAuthenticated } from "../errors.ts";
import type { SignedInSession } from "../tokens/access-tokens.ts";
import { clearIdentity, readIdentity, touchIdentity } from "./identity.ts";

/**
 * The session, its idle expiry extended (using an API is activity). Throws 401
 * `not_authenticated` for no, an expired, ended or tampered identity, or an identity without
 * its own token cookie (deleted, tampered or swapped in from another session).
 */
export async function requireSession(
  context: BffContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<SignedInSession> {
  const now = context.now();
  const identity = await readIdentity(request, context.config, now, context.revocations);
  if (!identity) {
    context.tokens.clear(request, reply);
    throw notAuthenticated();
  }
  const tokens = context.tokens.read(request, reply, identity, now);
  if (!tokens) {
    clearIdentity(request);
    context.tokens.clear(request, reply);
    throw notAuthenticated();
  }
  touchIdentity(request, context.config, identity, now);
  return { identity, tokens };
}
