/**
 * Application permissions (app roles an app holds as itself, for client credentials):
 * Graph's known ones, or an API's app roles that allow applications. Configured on the
 * client (`applicationPermissions`), granted in its home tenant and wherever an
 * administrator consented (`/adminconsent` with `<resource>/.default`).
 */
import { type EmulatorContext, homeTenantId } from "./context.ts";
import { graphResourceId } from "./defaults.ts";
import { findResource, type Resource } from "./scopes.ts";
import type { ClientRegistration } from "./types.ts";

/** Graph's application permissions the emulator's Graph honours. */
export const graphApplicationPermissions: readonly string[] = [
  "User.Read.All",
  "User.ReadWrite.All",
  "Directory.Read.All",
  "Mail.Read",
  "Calendars.Read",
  "Contacts.Read",
  "Files.Read.All",
];

/** One application permission: a role value on a resource. */
interface AppRolePermission {
  resourceId: string;
  value: string;
}

function parseApplicationPermission(
  ctx: EmulatorContext,
  name: string,
): AppRolePermission | undefined {
  const slash = name.lastIndexOf("/");
  const resource: Resource | undefined =
    slash > 0 ? findResource(ctx, name.slice(0, slash)) : { kind: "graph", id: graphResourceId };
  const value = slash > 0 ? name.slice(slash + 1) : name;
  if (!resource) return undefined;
  const offered =
    resource.kind === "graph"
      ? graphApplicationPermissions
      : (resource.registration.appRoles ?? [])
          .filter((role) => (role.allowedMemberTypes ?? ["User"]).includes("Application"))
          .map((role) => role.value);
  const known = offered.find((v) => v.toLowerCase() === value.toLowerCase());
  return known ? { resourceId: resource.id, value: known } : undefined;
}

/** The client's configured application permissions on `resourceId`. */
export function configuredApplicationPermissions(
  ctx: EmulatorContext,
  client: ClientRegistration,
  resourceId: string,
): string[] {
  return (client.applicationPermissions ?? [])
    .map((name) => parseApplicationPermission(ctx, name))
    .filter((p): p is AppRolePermission => p?.resourceId === resourceId)
    .map((p) => p.value);
}

/**
 * The `roles` of the client's app-only token for `resourceId` in `tenantId`: every
 * configured application permission granted there (Entra puts all of them in, whatever
 * the request named). A token without any is still issued, as at Entra.
 */
export function grantedApplicationPermissions(
  ctx: EmulatorContext,
  client: ClientRegistration,
  resourceId: string,
  tenantId: string,
): string[] {
  const configured = configuredApplicationPermissions(ctx, client, resourceId);
  if (homeTenantId(ctx, client).toLowerCase() === tenantId.toLowerCase()) return configured;
  const granted = ctx.consents.grantedAppRoles(client.clientId, tenantId);
  return configured.filter((value) => granted.has(`${resourceId} ${value}`));
}

/** Misconfiguration is loud: every configured permission must exist on its resource. */
export function assertApplicationPermissions(ctx: EmulatorContext): void {
  for (const client of [...ctx.clients, ...ctx.apis]) {
    for (const name of client.applicationPermissions ?? []) {
      if (!parseApplicationPermission(ctx, name)) {
        throw new TypeError(
          `application permission "${name}" of ${client.clientId} is neither one of Graph's (${graphApplicationPermissions.join(", ")}) nor an app role allowing applications of a registered API (<Application ID URI>/<role>)`,
        );
      }
    }
  }
}
