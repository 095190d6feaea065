/** Microsoft Graph GET /v1.0/me: bearer validation and the user's profile in Graph's shape. */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors, jwtVerify } from "jose";
import { type EmulatorContext, findUser } from "../context.ts";
import { graphResourceId } from "../defaults.ts";
import { graphTokenIssuer } from "../tokens.ts";
import type { Fault } from "../types.ts";
import { applyDelay } from "./tenant.ts";

const acceptedScopes = ["User.Read", "User.ReadBasic.All", "User.Read.All"];
const graphJson =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export function graphRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.get("/v1.0/me", async (request, reply) => {
    await applyDelay(ctx, "graph");
    const requestId = randomUUID();
    const clientRequestId = header(request, "client-request-id") ?? requestId;
    reply
      .header("request-id", requestId)
      .header("client-request-id", clientRequestId)
      .header("cache-control", "no-cache")
      .header("content-type", "application/json");
    const fail = (status: number, code: string, message: string, headers = {}) =>
      reply
        .code(status)
        .headers(headers)
        .send({
          error: {
            code,
            message,
            innerError: {
              date: new Date(ctx.now()).toISOString().slice(0, 19),
              "request-id": requestId,
              "client-request-id": clientRequestId,
            },
          },
        });
    const unauthorized = (message: string, extra = "") =>
      fail(401, "InvalidAuthenticationToken", message, {
        "www-authenticate": `Bearer realm="", authorization_uri="${ctx.browserUrl}/common/oauth2/authorize", client_id="${graphResourceId}"${extra}`,
      });

    const fault = ctx.faults.take("graph", (f) => f.kind !== "delay");
    if (fault) return sendGraphFault(ctx, fault, fail, unauthorized);

    const authorization = header(request, "authorization") ?? "";
    const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
    if (!token) return unauthorized("Access token is empty.");
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, ctx.key.publicKey, {
        algorithms: ["RS256"],
        audience: graphResourceId,
        currentDate: new Date(ctx.now()),
        clockTolerance: 300,
      }));
    } catch (error) {
      return unauthorized(graphTokenMessage(error));
    }
    // Checked after the audience, as Graph reports a wrong audience first.
    if (payload.iss !== graphTokenIssuer(ctx.tenantId)) return unauthorized("Invalid issuer.");
    const scopes = String(payload.scp ?? "").split(" ");
    if (!acceptedScopes.some((scope) => scopes.includes(scope))) {
      return fail(
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
      );
    }
    const user = findUser(ctx, String(payload.oid ?? ""));
    if (!user) {
      return fail(
        404,
        "Request_ResourceNotFound",
        `Resource '${String(payload.oid)}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    return reply.header("content-type", graphJson).send({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
      businessPhones: user.businessPhones,
      displayName: user.displayName,
      givenName: user.givenName,
      jobTitle: user.jobTitle,
      mail: user.mail,
      mobilePhone: user.mobilePhone,
      officeLocation: user.officeLocation,
      preferredLanguage: user.preferredLanguage,
      surname: user.surname,
      userPrincipalName: user.userPrincipalName,
      id: user.oid,
    });
  });
}

function sendGraphFault(
  ctx: EmulatorContext,
  fault: Fault,
  fail: (status: number, code: string, message: string, headers?: object) => FastifyReply,
  unauthorized: (message: string, extra?: string) => FastifyReply,
) {
  switch (fault.kind) {
    case "throttled": {
      const seconds = fault.retryAfterSeconds ?? 10;
      return fail(429, "TooManyRequests", "Too many requests.", { "retry-after": String(seconds) });
    }
    case "claims_challenge": {
      const claims =
        fault.claims ??
        JSON.stringify({
          access_token: { nbf: { essential: true, value: String(Math.floor(ctx.now() / 1000)) } },
        });
      // Graph sends the claims request base64-encoded (standard alphabet, padded).
      const encoded = Buffer.from(claims, "utf8").toString("base64");
      return unauthorized(
        "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies",
        `, error="insufficient_claims", claims="${encoded}"`,
      );
    }
    case "unauthorized":
      return unauthorized("Lifetime validation failed, the token is expired.");
    default:
      return fail(500, "generalException", "An unspecified error has occurred.");
  }
}

/** Graph's wording for each way a token fails validation. */
function graphTokenMessage(error: unknown): string {
  if (error instanceof errors.JWTExpired)
    return "Lifetime validation failed, the token is expired.";
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "aud") {
    return "Invalid audience.";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "Access token validation failure. Signature is invalid.";
  }
  return "Access token validation failure.";
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
}
