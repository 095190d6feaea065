// The bearer-token gate in front of every Tasks API route: who is calling, and may they.
import { tasksApi } from "@entra-bff/contract";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import {
  insufficientScope,
  invalidToken,
  keysUnavailable,
  missingRole,
  tokenRequired,
} from "../errors.ts";
import { AccessTokenError, type Caller } from "./access-token.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `authenticate` before any body is parsed; absent on unauthenticated routes. */
    caller?: Caller;
  }
}

const bearer = /^Bearer[ ]+([^\s,]+)[ ]*$/i;

/**
 * onRequest hook: validates `Authorization: Bearer <token>` and requires the delegated
 * scope `Tasks.ReadWrite`. Runs before the body is read, so a request without a valid token
 * costs no parsing and reaches no handler. Accepts the token only in the header (RFC 6750
 * 2.1): never in the query, where logs and proxies would keep it.
 */
export function authenticate(context: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined || !/^bearer(\s|$)/i.test(header)) throw tokenRequired();
    const token = bearer.exec(header)?.[1];
    if (token === undefined) {
      throw invalidToken("the Authorization header must be `Bearer <token>`, one token");
    }
    const authority = context.authority.get();
    let caller: Caller;
    try {
      caller = await context.validateToken(authority, token);
    } catch (error) {
      if (!(error instanceof AccessTokenError)) throw error;
      if (error.keysUnavailable) throw keysUnavailable(error.message, error);
      request.log.info({ reason: error.message }, "access token refused");
      throw invalidToken(error.message, error);
    }
    if (!caller.scopes.includes(tasksApi.scope)) {
      request.log.info(
        { tid: caller.tenantId, oid: caller.oid, scopes: caller.scopes.slice(0, 20) },
        "access token without the API's scope",
      );
      throw insufficientScope();
    }
    request.caller = caller;
    request.log = request.log.child({ tid: caller.tenantId, oid: caller.oid });
  };
}

/** preHandler: the caller's token must hold the app role (e.g. `Tasks.Admin`). */
export function requireRole(role: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!callerOf(request).roles.includes(role)) {
      request.log.info({ role }, "app role missing");
      throw missingRole(role);
    }
  };
}

/** The authenticated caller; a route without `authenticate` in front of it is a bug. */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === undefined) throw new TypeError("route is not behind authenticate()");
  return request.caller;
}
