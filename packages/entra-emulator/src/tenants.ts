/** The tenants the emulator hosts: the default one (first) and any configured besides it. */
import { defaultAdmins } from "./defaults.ts";
import type { EmulatorTenant, TenantOptions, TestUser } from "./types.ts";

/**
 * Checks and normalizes the tenant options. Misconfiguration (a duplicate tenant or user,
 * an admin who is not a member) is a TypeError naming the value, so a test typo is loud.
 */
export function hostedTenants(options: {
  tenantId: string;
  /** The default tenant's domain (its `*.onmicrosoft.com` name). */
  domain: string;
  users: TestUser[];
  /** The default tenant's; default Adele Vance (when she is among its users). */
  admins: string[] | undefined;
  tenants: TenantOptions[];
}): EmulatorTenant[] {
  const all: TenantOptions[] = [
    {
      tenantId: options.tenantId,
      users: options.users,
      domain: options.domain,
      admins: options.admins ?? defaultAdmins,
      usersCanConsent: true,
      displayName: "Contoso (dev-only)",
    },
    ...options.tenants,
  ];
  const tenantIds = new Set<string>();
  const oids = new Set<string>();
  const hosted = all.map((tenant, index) => {
    if (typeof tenant.tenantId !== "string" || tenant.tenantId === "") {
      throw new TypeError(`tenants[${index - 1}].tenantId must be a tenant id (a GUID)`);
    }
    for (const name of [tenant.tenantId, tenant.domain].filter((n) => n !== undefined)) {
      if (tenantIds.has(name.toLowerCase())) {
        throw new TypeError(`tenant "${name}" is configured twice`);
      }
      tenantIds.add(name.toLowerCase());
    }
    if (!Array.isArray(tenant.users) || tenant.users.length === 0) {
      throw new TypeError(`tenant ${tenant.tenantId} needs at least one user`);
    }
    for (const user of tenant.users) {
      if (oids.has(user.oid)) throw new TypeError(`user oid ${user.oid} is in two tenants`);
      oids.add(user.oid);
    }
    const admins = (tenant.admins ?? []).flatMap((name) => {
      const wanted = name.toLowerCase();
      const admin = tenant.users.find(
        (u) => u.oid === wanted || u.userPrincipalName.toLowerCase() === wanted,
      );
      // The default admin is only a default: a custom user list need not contain her.
      if (!admin && index === 0 && options.admins === undefined) return [];
      if (!admin) {
        throw new TypeError(`admin "${name}" is not a user of tenant ${tenant.tenantId}`);
      }
      return [admin.oid];
    });
    return {
      tenantId: tenant.tenantId,
      domain: tenant.domain,
      domains: tenant.domain ? [tenant.domain] : [],
      displayName: tenant.displayName ?? tenant.domain ?? tenant.tenantId,
      users: tenant.users,
      admins,
      usersCanConsent: tenant.usersCanConsent ?? index === 0,
    };
  });
  // A UPN's suffix is a verified domain of the user's tenant, so it names the tenant in URLs
  // too (`/contoso.example/…`), unless another tenant claims it.
  for (const tenant of hosted) {
    for (const user of tenant.users) {
      const suffix = user.userPrincipalName.split("@")[1]?.toLowerCase();
      if (!suffix || tenantIds.has(suffix)) continue;
      tenantIds.add(suffix);
      tenant.domains.push(suffix);
    }
  }
  return hosted;
}
