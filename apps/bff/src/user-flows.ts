// Azure AD B2C's user flows beyond sign-up/sign-in: which one a sign-in transaction runs, the
// answers B2C sends instead of a code (forgot password, cancelled), and how a profile edit's
// answer refreshes the session it edits without becoming anyone else's.
import type { Config } from "./config.ts";
import { type Identity, identityExpiresAt } from "./session/identity.ts";
import type { SessionIdentityFields } from "./session/session-user.ts";
import type { SignInTransaction } from "./session/transaction.ts";

/** "Forgot your password?" on B2C's sign-up/sign-in page, when the flow has no reset built in. */
export function isForgotPassword(error: string | undefined, description: string | undefined) {
  return error === "access_denied" && /\bAADB2C90118\b/.test(description ?? "");
}

/** The user pressed Cancel on one of B2C's self-asserted pages (AADB2C90091). */
export function isUserCancellation(error: string | undefined, description: string | undefined) {
  return error === "access_denied" && /\bAADB2C90091\b/.test(description ?? "");
}

/**
 * The policy of the user flow a transaction runs (`undefined`: the sign-in authority's), or
 * `null` when that flow is no longer configured (the settings changed meanwhile).
 */
export function transactionPolicy(
  config: Config,
  transaction: SignInTransaction,
): string | undefined | null {
  if (!transaction.flow) return undefined;
  return config.userFlows?.[transaction.flow]?.policy ?? null;
}

/**
 * What a profile edit transaction carries of the session it edits: everything but the
 * display fields, which the edit's ID token replaces (and which would only make the
 * transaction cookie larger).
 */
export function editedSession(identity: Identity): Identity {
  const { profile: _profile, ...rest } = identity;
  return { ...rest, user: { ...identity.user, name: "", username: "" } };
}

/**
 * Why the edit's answer may not refresh `edited`, or `undefined` when it may: it must name
 * the same tenant, object id and subject (a user who signed in as someone else on B2C's page
 * edited that account, not this session's).
 */
export function otherUser(edited: Identity, fields: SessionIdentityFields): string | undefined {
  const differences: string[] = [];
  if (fields.user.tenantId !== edited.user.tenantId) differences.push("tid");
  if (fields.user.oid !== edited.user.oid) differences.push("oid");
  if (edited.sub !== undefined && fields.sub !== edited.sub) differences.push("sub");
  return differences.length > 0 ? differences.join(", ") : undefined;
}

/**
 * The edited session with the edit's names, e-mail address and profile: the same session id
 * (its token cookies stay bound to it), expiry and refresh token's user flow; activity.
 */
export function refreshedIdentity(
  config: Config,
  edited: Identity,
  fields: SessionIdentityFields,
  now: number,
): Identity {
  const { profile: _stale, ...kept } = edited;
  return {
    ...kept,
    user: { ...edited.user, name: fields.user.name, username: fields.user.username },
    ...(fields.profile ? { profile: fields.profile } : {}),
    idleExpiresAt: Math.min(now + config.sessionIdleMinutes * 60_000, edited.absoluteExpiresAt),
  };
}

/** Whether the edited session lapsed while its profile was being edited. */
export function hasLapsed(edited: Identity, now: number): boolean {
  return identityExpiresAt(edited) <= now;
}
