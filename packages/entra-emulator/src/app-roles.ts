/** App roles: which of a registration's roles a user holds (Entra's app role assignments). */
import type { ClientRegistration, TestUser } from "./types.ts";

/**
 * The role values assigned to `user` on `registration` that the registration defines for
 * users, in definition order. An assignment naming an undefined role grants nothing, as
 * Entra only assigns roles that exist.
 */
export function assignedRoles(registration: ClientRegistration, user: TestUser): string[] {
  const assigned = new Set(
    Object.entries(registration.roleAssignments ?? {})
      .filter(([who]) => {
        const name = who.toLowerCase();
        return name === user.userPrincipalName.toLowerCase() || name === user.oid.toLowerCase();
      })
      .flatMap(([, roles]) => roles),
  );
  return (registration.appRoles ?? [])
    .filter((role) => (role.allowedMemberTypes ?? ["User"]).includes("User"))
    .map((role) => role.value)
    .filter((value, index, all) => assigned.has(value) && all.indexOf(value) === index);
}
