// The identity cookie: who is signed in and until when. Cheap to read on every request;
// it holds no token. Stored by identity-cookie.ts (`request.server.identities`).
import type { SessionUser } from "@entra-bff/contract";
import type { FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { IdentityCookie } from "./identity-cookie.ts";
import { logId } from "./log-id.ts";
import type { RevocationStore } from "./revocation.ts";
import type { ClaimsProfile } from "./session-user.ts";

export interface Identity {
  /** Random session id; the token cookies carry it too, binding them to this identity. */
  sid: string;
  user: SessionUser;
  /**
   * The ID token's `sub`: with `tid` and `oid`, what every renewal's ID token must repeat.
   * Absent only in sessions created before it was recorded.
   */
  sub?: string;
  /** The ID token's `login_hint` claim, for a logout without Entra's account picker. */
  loginHint?: string;
  /** The ID token's `sid` claim: Entra's session, named by front-channel logout. */
  idpSid?: string;
  /** B2C: the user flow whose refresh token the session holds; only it redeems the token. */
  policy?: string;
  /** B2C: the ID token's names and e-mail address, what `/api/me` answers from. */
  profile?: ClaimsProfile;
  /** Epoch milliseconds. */
  createdAt: number;
  absoluteExpiresAt: number;
  idleExpiresAt: number;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The identity cookie's store (app.ts). */
    identities: IdentityCookie;
  }
}

/**
 * Idle expiry is extended at most this often, so active use does not re-issue the cookie on
 * every request; a tenth of a short idle lifetime at most, or with SESSION_IDLE_MINUTES=1 a
 * user active every few seconds would still be signed out after a minute.
 */
export function idleTouchIntervalMs(config: Config): number {
  return Math.min(60_000, (config.sessionIdleMinutes * 60_000) / 10);
}

export function newIdentity(
  config: Config,
  fields: {
    sid: string;
    user: SessionUser;
    sub: string;
    loginHint: string | undefined;
    idpSid: string | undefined;
    policy?: string | undefined;
    profile?: ClaimsProfile | undefined;
  },
  now: number,
): Identity {
  return {
    sid: fields.sid,
    user: fields.user,
    sub: fields.sub,
    ...(fields.loginHint ? { loginHint: fields.loginHint } : {}),
    ...(fields.idpSid ? { idpSid: fields.idpSid } : {}),
    ...(fields.policy ? { policy: fields.policy } : {}),
    ...(fields.profile ? { profile: fields.profile } : {}),
    createdAt: now,
    absoluteExpiresAt: now + config.sessionAbsoluteHours * 3_600_000,
    idleExpiresAt: Math.min(
      now + config.sessionIdleMinutes * 60_000,
      now + config.sessionAbsoluteHours * 3_600_000,
    ),
  };
}

/** When the session ends unless used again. */
export function identityExpiresAt(identity: Identity): number {
  return Math.min(identity.idleExpiresAt, identity.absoluteExpiresAt);
}

/**
 * The signed-in identity, or `undefined`. An expired or ended (logged-out) identity is
 * deleted: the response clears its cookie. Does not extend the idle expiry: reading is not
 * activity.
 */
export async function readIdentity(
  request: FastifyRequest,
  config: Config,
  now: number,
  revocations: RevocationStore,
): Promise<Identity | undefined> {
  const identity = readUnexpiredIdentity(request, now);
  if (!identity) return undefined;
  if (await revocations.isEnded(identity, now)) {
    request.log.info({ session: logId(identity.sid) }, "cookie of an ended session refused");
    clearIdentity(request);
    return undefined;
  }
  if (request.server.identities.load(request)?.stale) {
    // Sealed with an older key or format: re-issue it under the newest, same expiry.
    writeIdentity(request, config, identity, now);
  }
  return identity;
}

/**
 * The identity if the cookie holds one that has not expired, without asking the revocation
 * store: for ending a session, which must work even when that store is down.
 */
export function readUnexpiredIdentity(request: FastifyRequest, now: number): Identity | undefined {
  const identity = request.server.identities.load(request)?.identity;
  if (!identity) return undefined;
  if (identityExpiresAt(identity) <= now) {
    request.log.debug({ session: logId(identity.sid) }, "session expired");
    clearIdentity(request);
    return undefined;
  }
  return identity;
}

export function writeIdentity(
  request: FastifyRequest,
  _config: Config,
  identity: Identity,
  now: number,
): void {
  request.server.identities.set(request, identity, (identity.absoluteExpiresAt - now) / 1000);
}

/** Records activity: extends the idle expiry (never past the absolute one), at most once a minute. */
export function touchIdentity(
  request: FastifyRequest,
  config: Config,
  identity: Identity,
  now: number,
): void {
  const idleExpiresAt = Math.min(
    now + config.sessionIdleMinutes * 60_000,
    identity.absoluteExpiresAt,
  );
  if (idleExpiresAt - identity.idleExpiresAt < idleTouchIntervalMs(config)) return;
  writeIdentity(request, config, { ...identity, idleExpiresAt }, now);
}

export function clearIdentity(request: FastifyRequest): void {
  request.server.identities.clear(request);
}

export function isIdentity(value: unknown): value is Identity {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Identity>;
  return (
    typeof v.sid === "string" &&
    typeof v.createdAt === "number" &&
    typeof v.absoluteExpiresAt === "number" &&
    typeof v.idleExpiresAt === "number" &&
    (v.idpSid === undefined || typeof v.idpSid === "string") &&
    (v.sub === undefined || typeof v.sub === "string") &&
    (v.policy === undefined || typeof v.policy === "string") &&
    (v.profile === undefined || isClaimsProfile(v.profile)) &&
    typeof v.user === "object" &&
    v.user !== null &&
    typeof v.user.oid === "string" &&
    typeof v.user.tenantId === "string" &&
    typeof v.user.name === "string" &&
    typeof v.user.username === "string" &&
    (v.user.roles === undefined ||
      (Array.isArray(v.user.roles) && v.user.roles.every((role) => typeof role === "string")))
  );
}

function isClaimsProfile(value: unknown): value is ClaimsProfile {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.entries(value).every(
      ([name, field]) =>
        ["displayName", "givenName", "surname", "email"].includes(name) &&
        typeof field === "string",
    )
  );
}
