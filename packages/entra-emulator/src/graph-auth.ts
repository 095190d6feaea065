/**
 * Graph's bearer validation and permissions: who is calling (a user through an app, or an
 * app alone) and which profile properties the token's permissions let it read.
 */
import type { FastifyRequest } from "fastify";
import { errors, jwtVerify } from "jose";
import type { EmulatorContext } from "./context.ts";
import { graphResourceId } from "./defaults.ts";
import { GraphError } from "./graph-errors.ts";
import { graphSignedForm, graphTokenIssuer } from "./tokens.ts";
import type { TestUser } from "./types.ts";

export interface GraphCaller {
  /** The token's tenant: Graph answers from its directory only. */
  tenantId: string;
  /** The tenant's people, Graph's `/users`. */
  directory: readonly TestUser[];
  /** The signed-in user's oid for a delegated token; undefined for an app-only token. */
  userOid: string | undefined;
  /** Delegated permissions (`scp`), lower case. */
  scopes: ReadonlySet<string>;
  /** Application permissions (`roles` of an app-only token), lower case. */
  roles: ReadonlySet<string>;
  /** The app the token was issued to (`appid`). */
  clientId: string | undefined;
}

/** Graph accepts its tokens with either form of its audience. */
const graphAudiences = [
  graphResourceId,
  "https://graph.microsoft.com",
  "https://graph.microsoft.com/",
];

/** Graph's 401: the message says what is wrong; `WWW-Authenticate` says where to sign in. */
export function invalidToken(ctx: EmulatorContext, message: string, challenge = ""): GraphError {
  return new GraphError(401, "InvalidAuthenticationToken", message, {
    "www-authenticate": `Bearer realm="", authorization_uri="${ctx.browserUrl}/common/oauth2/authorize", client_id="${graphResourceId}"${challenge}`,
  });
}

/**
 * Validates the bearer token as Graph does: RS256 signature by the emulator's key, Graph's
 * audience, the v1.0 issuer of a tenant the emulator hosts, expiry with Graph's 5 minutes of clock skew. Throws
 * Graph's 401 otherwise. Does not decide what the caller may read: see `profileAccess`.
 */
export async function authenticateGraphCaller(
  ctx: EmulatorContext,
  request: FastifyRequest,
): Promise<GraphCaller> {
  const authorization = request.headers.authorization ?? "";
  const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
  if (!token) throw invalidToken(ctx, "Access token is empty.");
  let payload: Record<string, unknown>;
  try {
    // Graph's tokens are signed over their hashed header nonce (see graphSignedForm).
    ({ payload } = await jwtVerify(graphSignedForm(token), ctx.key.publicKey, {
      algorithms: ["RS256"],
      audience: graphAudiences,
      currentDate: new Date(ctx.now()),
      clockTolerance: 300,
    }));
  } catch (error) {
    throw invalidToken(ctx, graphTokenMessage(error));
  }
  // Checked after the audience, as Graph reports a wrong audience first.
  const tenant = ctx.tenants.find((t) => t.tenantId === payload.tid);
  if (!tenant || payload.iss !== graphTokenIssuer(tenant.tenantId)) {
    throw invalidToken(ctx, "Invalid issuer.");
  }
  const delegated = typeof payload.scp === "string";
  return {
    tenantId: tenant.tenantId,
    directory: tenant.users,
    userOid: delegated && typeof payload.oid === "string" ? payload.oid : undefined,
    scopes: lowerSet(delegated ? String(payload.scp).split(" ") : []),
    roles: lowerSet(!delegated && Array.isArray(payload.roles) ? payload.roles.map(String) : []),
    clientId: typeof payload.appid === "string" ? payload.appid : undefined,
  };
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

function lowerSet(values: string[]): ReadonlySet<string> {
  return new Set(values.filter(Boolean).map((value) => value.toLowerCase()));
}

/** Delegated permissions that read the signed-in user's own full profile. */
const ownProfileScopes = [
  "user.read",
  "user.readwrite",
  "user.readbasic.all",
  "user.read.all",
  "user.readwrite.all",
  "directory.read.all",
  "directory.readwrite.all",
  "directory.accessasuser.all",
];
/** Permissions (delegated or application) that read every user's full profile. */
const fullProfilePermissions = [
  "user.read.all",
  "user.readwrite.all",
  "directory.read.all",
  "directory.readwrite.all",
  "directory.accessasuser.all",
];
/** The basic profile only: User.ReadBasic.All. */
const basicProfilePermissions = ["user.readbasic.all"];

/** What a caller may read of a user: every property, the basic profile, or nothing. */
export type ProfileAccess = "full" | "basic" | undefined;

function holds(caller: GraphCaller, permissions: string[]): boolean {
  const granted = caller.userOid ? caller.scopes : caller.roles;
  return permissions.some((permission) => granted.has(permission));
}

/**
 * User.Read reads only the signed-in user; User.ReadBasic.All also reads everyone's basic
 * profile (and still the user's own full one); User.Read.All and above read everything.
 */
export function profileAccess(caller: GraphCaller, userOid: string): ProfileAccess {
  if (caller.userOid === userOid && holds(caller, ownProfileScopes)) return "full";
  if (holds(caller, fullProfilePermissions)) return "full";
  if (holds(caller, basicProfilePermissions)) return "basic";
  return undefined;
}

/** Listing the directory needs at least User.ReadBasic.All: User.Read is not enough. */
export function directoryAccess(caller: GraphCaller): ProfileAccess {
  if (holds(caller, fullProfilePermissions)) return "full";
  if (holds(caller, basicProfilePermissions)) return "basic";
  return undefined;
}
