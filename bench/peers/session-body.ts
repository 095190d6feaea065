// The BFF's GET /auth/session answer, built by each peer from the ID-token claims its session
// keeps, so that every server sends the same answer and only the session machinery differs.
import type { SessionResponse } from "@entra-bff/contract";

/** `{ authenticated: false }` unless the claims name the user (name, username, oid, tenant). */
export function sessionFromClaims(claims: Record<string, unknown> | undefined): SessionResponse {
  const text = (name: string) => (typeof claims?.[name] === "string" ? claims[name] : undefined);
  const name = text("name");
  const username = text("preferred_username");
  const oid = text("oid");
  const tenantId = text("tid");
  if (name === undefined || username === undefined || !oid || !tenantId) {
    return { authenticated: false };
  }
  return { authenticated: true, user: { name, username, oid, tenantId } };
}
