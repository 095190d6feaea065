/**
 * Consent: per app and user, the permissions the user accepted on the prompt; per app and
 * tenant, what an administrator granted for everyone (admin consent).
 */
import { type EmulatorContext, findClient, findUser, resolveTenant } from "./context.ts";
import { graphResourceId } from "./defaults.ts";
import {
  adminConsentedGraphScopes,
  graphScopeDescriptions,
  type Permission,
  parseScopes,
  permissionName,
} from "./scopes.ts";
import type { EmulatorConsents, TenantConsent, TestUser, UserConsent } from "./types.ts";

export class ConsentStore {
  /** Keyed by `${clientId} ${userOid}`; values are permission keys. */
  #byUser = new Map<string, Set<string>>();
  /** Keyed by `${clientId} ${tenantId}`: admin consent. */
  #byTenant = new Map<string, Set<string>>();
  /** Keyed by `${clientId} ${tenantId}`: application permissions an admin granted. */
  #appRoles = new Map<string, Set<string>>();

  /**
   * `adminGrantedAll`: a customer tenant (External ID, B2C), where customers are never asked
   * and an administrator grants the app's permissions ("Grant admin consent").
   */
  constructor(
    readonly defaultTenantId: string,
    readonly options: { adminGrantedAll?: boolean } = {},
  ) {}

  /**
   * The permissions in `wanted` that neither the user nor an admin of the user's tenant
   * granted this app. In the default tenant, Graph `User.Read` counts as admin-consented.
   */
  missing(
    clientId: string,
    user: { oid: string; tenantId: string },
    wanted: readonly Permission[],
  ): Permission[] {
    if (this.options.adminGrantedAll) return [];
    const own = this.#byUser.get(key(clientId, user.oid));
    const tenant = this.#byTenant.get(key(clientId, user.tenantId.toLowerCase()));
    return wanted.filter((permission) => {
      const id = permissionKey(permission);
      if (own?.has(id) || tenant?.has(id)) return false;
      return !(
        user.tenantId.toLowerCase() === this.defaultTenantId.toLowerCase() &&
        permission.resourceId === graphResourceId &&
        adminConsentedGraphScopes.includes(permission.value)
      );
    });
  }

  /**
   * Every permission on `resourceId` that the user or an admin of the user's tenant granted
   * this app (the default tenant's admin-consented Graph `User.Read` included), in the order
   * granted: what Entra puts in a token for that resource besides what was asked.
   */
  granted(
    clientId: string,
    user: { oid: string; tenantId: string },
    resourceId: string,
  ): Permission[] {
    const keys = [
      ...(user.tenantId.toLowerCase() === this.defaultTenantId.toLowerCase() &&
      resourceId === graphResourceId
        ? adminConsentedGraphScopes.map((value) => permissionKey({ resourceId, value }))
        : []),
      ...(this.#byTenant.get(key(clientId, user.tenantId.toLowerCase())) ?? []),
      ...(this.#byUser.get(key(clientId, user.oid)) ?? []),
    ];
    return [...new Set(keys)]
      .map((k) => {
        const [resource, value] = k.split(" ") as [string, string];
        return { resourceId: resource, value };
      })
      .filter((permission) => permission.resourceId === resourceId);
  }

  grant(clientId: string, userOid: string, permissions: readonly Permission[]): void {
    add(this.#byUser, key(clientId, userOid), permissions);
  }

  grantTenant(clientId: string, tenantId: string, permissions: readonly Permission[]): void {
    add(this.#byTenant, key(clientId, tenantId.toLowerCase()), permissions);
  }

  /** Records an administrator's grant of application permissions (`resourceId value`). */
  grantAppRoles(clientId: string, tenantId: string, permissions: readonly Permission[]): void {
    add(this.#appRoles, key(clientId, tenantId.toLowerCase()), permissions);
  }

  /** The application permissions granted in a tenant, as `resourceId value` keys. */
  grantedAppRoles(clientId: string, tenantId: string): ReadonlySet<string> {
    return this.#appRoles.get(key(clientId, tenantId.toLowerCase())) ?? new Set();
  }

  revoke(clientId: string, userOid: string): void {
    this.#byUser.delete(key(clientId, userOid));
  }

  revokeTenant(clientId: string, tenantId: string): void {
    this.#byTenant.delete(key(clientId, tenantId.toLowerCase()));
    this.#appRoles.delete(key(clientId, tenantId.toLowerCase()));
  }

  list(): { clientId: string; userOid: string; permissions: Permission[] }[] {
    return entries(this.#byUser).map(([clientId, userOid, permissions]) => ({
      clientId,
      userOid,
      permissions,
    }));
  }

  listTenant(): { clientId: string; tenantId: string; permissions: Permission[] }[] {
    return entries(this.#byTenant).map(([clientId, tenantId, permissions]) => ({
      clientId,
      tenantId,
      permissions,
    }));
  }
}

function key(clientId: string, subject: string): string {
  return `${clientId} ${subject}`;
}

function permissionKey(permission: Permission): string {
  return `${permission.resourceId} ${permission.value}`;
}

function add(map: Map<string, Set<string>>, id: string, permissions: readonly Permission[]) {
  const granted = map.get(id) ?? new Set();
  for (const permission of permissions) granted.add(permissionKey(permission));
  map.set(id, granted);
}

function entries(map: Map<string, Set<string>>): [string, string, Permission[]][] {
  return [...map].map(([id, granted]) => {
    const [clientId, subject] = id.split(" ") as [string, string];
    const permissions = [...granted].map((k) => {
      const [resourceId, value] = k.split(" ") as [string, string];
      return { resourceId, value };
    });
    return [clientId, subject, permissions];
  });
}

/**
 * `emulator.consents`, also behind the admin routes. Names users by UPN or oid and checks
 * every argument, throwing a TypeError that says what is wrong, so a typo in a test is loud.
 */
export function consentAdmin(ctx: EmulatorContext): EmulatorConsents {
  const resolveUser = (user: unknown): TestUser => {
    if (typeof user !== "string" || user === "") {
      throw new TypeError("user must be a UPN or an object id (oid)");
    }
    const found = findUser(ctx, user);
    if (!found) {
      throw new TypeError(
        `unknown user "${user}"; the emulator has ${ctx.tenants
          .flatMap((t) => t.users.map((u) => u.userPrincipalName))
          .join(", ")}`,
      );
    }
    return found;
  };
  const resolveClient = (clientId: unknown) => {
    if (clientId === undefined) return ctx.clients[0]!.clientId;
    if (typeof clientId !== "string" || !findClient(ctx, clientId)) {
      throw new TypeError(
        `clientId must be a registered client: ${ctx.clients.map((c) => c.clientId).join(", ")}`,
      );
    }
    return clientId;
  };
  const resolveTenantId = (tenant: unknown) => {
    const found = typeof tenant === "string" ? resolveTenant(ctx, tenant) : undefined;
    if (found?.kind !== "tenant") {
      throw new TypeError(
        `tenant must be a tenant id or domain: ${ctx.tenants.map((t) => t.tenantId).join(", ")}`,
      );
    }
    return found.tenant.tenantId;
  };
  const names = (permissions: Permission[]) => permissions.map((p) => permissionName(ctx, p));
  return {
    grant(user, scopes, clientId) {
      const { oid } = resolveUser(user);
      ctx.consents.grant(resolveClient(clientId), oid, permissionsNamed(ctx, scopes));
    },
    revoke(user, clientId) {
      const { oid } = resolveUser(user);
      ctx.consents.revoke(resolveClient(clientId), oid);
    },
    list(filter = {}): UserConsent[] {
      const oid = filter.user === undefined ? undefined : resolveUser(filter.user).oid;
      const client = filter.clientId === undefined ? undefined : resolveClient(filter.clientId);
      return ctx.consents
        .list()
        .filter(
          (c) => (oid === undefined || c.userOid === oid) && (client ?? c.clientId) === c.clientId,
        )
        .map((c) => ({
          clientId: c.clientId,
          userOid: c.userOid,
          userPrincipalName: findUser(ctx, c.userOid)?.userPrincipalName ?? c.userOid,
          scopes: names(c.permissions),
        }));
    },
    grantTenant(tenant, scopes, clientId) {
      const tenantId = resolveTenantId(tenant);
      ctx.consents.grantTenant(resolveClient(clientId), tenantId, permissionsNamed(ctx, scopes));
    },
    revokeTenant(tenant, clientId) {
      ctx.consents.revokeTenant(resolveClient(clientId), resolveTenantId(tenant));
    },
    listTenant(filter = {}): TenantConsent[] {
      const tenantId = filter.tenant === undefined ? undefined : resolveTenantId(filter.tenant);
      const client = filter.clientId === undefined ? undefined : resolveClient(filter.clientId);
      return ctx.consents
        .listTenant()
        .filter(
          (c) =>
            (tenantId === undefined || c.tenantId === tenantId.toLowerCase()) &&
            (client ?? c.clientId) === c.clientId,
        )
        .map((c) => ({
          clientId: c.clientId,
          tenantId: ctx.tenants.find((t) => t.tenantId.toLowerCase() === c.tenantId)!.tenantId,
          scopes: names(c.permissions),
        }));
    },
  };
}

/**
 * Permissions named as a client would: Graph's short (`Mail.Read`) or full
 * (`https://graph.microsoft.com/Mail.Read`) form, an API's `<Application ID URI>/<value>`.
 */
function permissionsNamed(ctx: EmulatorContext, scopes: unknown): Permission[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new TypeError("scopes must be a non-empty array of Graph scope names");
  }
  return scopes.map((scope) => {
    const parsed = typeof scope === "string" ? parseScopes(ctx, scope) : undefined;
    const entry = parsed?.resources[0];
    if (
      typeof scope === "string" &&
      !scope.includes(" ") &&
      parsed?.resources.length === 1 &&
      entry?.values.length === 1 &&
      !entry.asDefault &&
      parsed.oidc.length === 0 &&
      !parsed.foreign &&
      !parsed.unknown
    ) {
      return { resourceId: entry.resource.id, value: entry.values[0]! };
    }
    const apiScopes = ctx.apis.flatMap((api) =>
      (api.exposedScopes ?? []).map((s) => `${api.applicationIdUri ?? api.clientId}/${s.value}`),
    );
    if (typeof scope === "string" && scope.includes("/") && !/^https:\/\/graph\./i.test(scope)) {
      throw new TypeError(
        `unknown scope ${JSON.stringify(scope)}; the registered APIs expose ${apiScopes.join(", ") || "nothing"}`,
      );
    }
    throw new TypeError(
      `unknown Graph scope ${JSON.stringify(scope)}; the emulator knows ${Object.keys(graphScopeDescriptions).join(", ")}${apiScopes.length > 0 ? `, and the APIs' ${apiScopes.join(", ")}` : ""}`,
    );
  });
}
