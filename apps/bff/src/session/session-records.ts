// Writes to the revocation store that must not stop a sign-in or a sign-out when the store
// (Redis) is down: the user is still signed out, or in; the log says what was not recorded.
import type { FastifyBaseLogger } from "fastify";
import { logId } from "./log-id.ts";
import type { RevocationStore } from "./revocation.ts";

/**
 * Remembers session `sid` as ended. Failing, only a copy of its cookies taken earlier keeps
 * working, until the session's absolute expiry.
 */
export async function recordSessionEnded(
  revocations: RevocationStore,
  log: FastifyBaseLogger,
  session: { sid: string; absoluteExpiresAt: number },
): Promise<void> {
  try {
    await revocations.revoke(session.sid, session.absoluteExpiresAt);
  } catch (error) {
    log.error(
      {
        err: error,
        session: logId(session.sid),
        until: new Date(session.absoluteExpiresAt).toISOString(),
      },
      "session ended, but the session store did not record it: a copy of its cookies taken before now stays valid until its absolute expiry",
    );
  }
}

/** Lets front-channel logout end this sign-in's sessions. Failing, only their expiry does. */
export async function recordIdpSession(
  revocations: RevocationStore,
  log: FastifyBaseLogger,
  idpSid: string,
  until: number,
  now: number,
): Promise<void> {
  try {
    await revocations.startIdpSession(idpSid, until, now);
  } catch (error) {
    log.error(
      { err: error, idpSession: logId(idpSid) },
      "signed in, but the session store did not record the Entra session: signing out of Entra elsewhere will not end this session",
    );
  }
}
