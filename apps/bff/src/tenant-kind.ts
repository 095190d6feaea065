// Which kind of Microsoft tenant ENTRA_AUTHORITY names, and the authority shapes each kind
// accepts: workforce Entra ID, Entra External ID (`<name>.ciamlogin.com` or a custom URL
// domain) and Azure AD B2C (`<name>.b2clogin.com/<tenant>/<user flow>`).

/** `workforce` (Entra ID), `external` (Entra External ID), `b2c` (Azure AD B2C). */
export type TenantKind = "workforce" | "external" | "b2c";

export const tenantKinds: readonly TenantKind[] = ["workforce", "external", "b2c"];

/** A B2C user flow (policy) and its own authority: every B2C endpoint belongs to one. */
export interface UserFlow {
  /** As configured, e.g. `B2C_1_susi` (B2C compares policy names case-insensitively). */
  policy: string;
  /** `https://<host>/<tenant>/<policy>`. */
  authority: string;
}

/** B2C's user flows: sign-up/sign-in always, profile edit and password reset when set. */
export interface UserFlows {
  signUpSignIn: UserFlow;
  profileEdit?: UserFlow;
  passwordReset?: UserFlow;
}

export interface TenantAuthority {
  kind: TenantKind;
  /** The sign-in authority, without a trailing slash (B2C: the sign-up/sign-in flow's). */
  url: string;
  /** Host (and port, when not 443): MSAL's `knownAuthorities` entry. */
  host: string;
  /** B2C only. */
  userFlows?: UserFlows;
}

/** The kind a Microsoft host stands for; `undefined` for any other host (say it explicitly). */
export function inferTenantKind(hostname: string): TenantKind | undefined {
  const host = hostname.toLowerCase();
  if (host.endsWith(".ciamlogin.com")) return "external";
  if (host.endsWith(".b2clogin.com")) return "b2c";
  return undefined;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** B2C user flows are `B2C_1_<name>`, custom policies `B2C_1A_<name>`. */
const policyName = /^B2C_1A?_[A-Za-z0-9_.-]{1,100}$/i;
const multiTenant = new Set(["organizations", "common", "consumers"]);

const b2cSettings = [
  "B2C_SIGNUP_SIGNIN_POLICY",
  "B2C_PROFILE_EDIT_POLICY",
  "B2C_PASSWORD_RESET_POLICY",
] as const;

/**
 * Reads ENTRA_AUTHORITY, ENTRA_TENANT_KIND and the B2C_* policies together, pushing every
 * problem. The kind is ENTRA_TENANT_KIND, else inferred from a `*.ciamlogin.com` or
 * `*.b2clogin.com` host, else workforce; a kind that contradicts the host is a problem.
 */
export function parseTenantAuthority(
  read: (name: string) => string | undefined,
  problems: string[],
): TenantAuthority | undefined {
  const value = read("ENTRA_AUTHORITY");
  if (value === undefined) {
    problems.push(
      "ENTRA_AUTHORITY is required (e.g. https://login.microsoftonline.com/<tenant-id>).",
    );
    return undefined;
  }
  const kindSetting = read("ENTRA_TENANT_KIND")?.toLowerCase();
  if (kindSetting !== undefined && !tenantKinds.includes(kindSetting as TenantKind)) {
    problems.push(
      `ENTRA_TENANT_KIND must be one of ${tenantKinds.join(", ")} (got "${kindSetting.slice(0, 40)}").`,
    );
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // MSAL refuses a non-https authority (`authority_uri_insecure`) only at the first sign-in;
  // say so at start-up instead.
  if (url?.protocol !== "https:") {
    problems.push(`ENTRA_AUTHORITY must be an https URL (got "${value}").`);
    return undefined;
  }
  const workforceShape = `ENTRA_AUTHORITY must be "https://<host>/<tenant>" with no query or fragment (got "${value}").`;
  if (url.search || url.hash || url.username || url.password) {
    problems.push(workforceShape);
    return undefined;
  }
  const inferred = inferTenantKind(url.hostname);
  const kind = (kindSetting as TenantKind | undefined) ?? inferred ?? "workforce";
  if (inferred !== undefined && kind !== inferred) {
    problems.push(
      `ENTRA_AUTHORITY's host ${url.host} is an ${inferred === "b2c" ? "Azure AD B2C" : "Entra External ID"} host, but ENTRA_TENANT_KIND is ${kind}; set ENTRA_TENANT_KIND=${inferred} or leave it unset.`,
    );
    return undefined;
  }
  const misplaced = b2cSettings.filter((name) => read(name) !== undefined);
  if (kind !== "b2c" && misplaced.length > 0) {
    problems.push(
      `${misplaced.join(", ")} ${misplaced.length === 1 ? "is" : "are"} set, but the tenant kind is ${kind}: user flow policies exist only in Azure AD B2C (ENTRA_TENANT_KIND=b2c).`,
    );
    return undefined;
  }
  // The `/v2.0` of a discovery URL (`https://login.contoso.com/<tenant id>/v2.0`, as the
  // Python sample's OIDC_AUTHORITY) is not part of the authority.
  const segments = url.pathname.split("/").filter(Boolean);
  if (segments.at(-1)?.toLowerCase() === "v2.0") segments.pop();
  const origin = url.origin;
  const shape = (expected: string) =>
    problems.push(`ENTRA_AUTHORITY must be ${expected} for a ${kind} tenant (got "${value}").`);

  switch (kind) {
    case "workforce": {
      if (segments.length !== 1) {
        problems.push(
          segments.length > 1
            ? `${workforceShape.slice(0, -1)}; a path of several segments is an Azure AD B2C user flow's, which needs ENTRA_TENANT_KIND=b2c.`
            : workforceShape,
        );
        return undefined;
      }
      return { kind, url: `${origin}/${segments[0]}`, host: url.host };
    }
    case "external": {
      // MSAL's own shortcut: `https://contoso.ciamlogin.com` means contoso.onmicrosoft.com.
      if (segments.length === 0 && inferred === "external") {
        segments.push(`${url.hostname.split(".")[0]}.onmicrosoft.com`);
      }
      const [tenant] = segments;
      if (segments.length !== 1 || tenant === undefined) {
        shape('"https://<name>.ciamlogin.com/<tenant id or domain>"');
        return undefined;
      }
      if (multiTenant.has(tenant.toLowerCase())) {
        problems.push(
          `ENTRA_AUTHORITY names "${tenant}", but an External ID tenant is one tenant: name it by its tenant id or domain.`,
        );
        return undefined;
      }
      // A custom URL domain names the tenant by its id (its domain is ambiguous behind it).
      if (inferred === undefined && !guid.test(tenant)) {
        problems.push(
          `ENTRA_AUTHORITY "${value}" is a custom URL domain of an External ID tenant: name the tenant by its id, https://${url.host}/<tenant id>.`,
        );
        return undefined;
      }
      return { kind, url: `${origin}/${tenant}`, host: url.host };
    }
    case "b2c":
      return parseB2cAuthority(read, problems, value, origin, url.host, segments);
  }
}

function parseB2cAuthority(
  read: (name: string) => string | undefined,
  problems: string[],
  value: string,
  origin: string,
  host: string,
  segments: string[],
): TenantAuthority | undefined {
  // The older `…/tfp/<tenant>/<policy>` form names the same authority.
  if (segments[0]?.toLowerCase() === "tfp") segments.shift();
  const [tenant, pathPolicy, ...rest] = segments;
  if (tenant === undefined || rest.length > 0 || multiTenant.has(tenant.toLowerCase())) {
    problems.push(
      `ENTRA_AUTHORITY must be "https://<name>.b2clogin.com/<name>.onmicrosoft.com/<user flow>" for an Azure AD B2C tenant (got "${value}").`,
    );
    return undefined;
  }
  const setting = read("B2C_SIGNUP_SIGNIN_POLICY");
  if (pathPolicy && setting && pathPolicy.toLowerCase() !== setting.toLowerCase()) {
    problems.push(
      `ENTRA_AUTHORITY names the user flow ${pathPolicy}, but B2C_SIGNUP_SIGNIN_POLICY is ${setting}; name one, or the same in both.`,
    );
    return undefined;
  }
  const signUpSignIn = pathPolicy ?? setting;
  if (signUpSignIn === undefined) {
    problems.push(
      "B2C_SIGNUP_SIGNIN_POLICY is required for an Azure AD B2C tenant (e.g. B2C_1_susi), unless ENTRA_AUTHORITY ends with the user flow.",
    );
    return undefined;
  }
  const names: Array<[string, string | undefined]> = [
    [pathPolicy ? "ENTRA_AUTHORITY's user flow" : "B2C_SIGNUP_SIGNIN_POLICY", signUpSignIn],
    ["B2C_PROFILE_EDIT_POLICY", read("B2C_PROFILE_EDIT_POLICY")],
    ["B2C_PASSWORD_RESET_POLICY", read("B2C_PASSWORD_RESET_POLICY")],
  ];
  let valid = true;
  for (const [name, policy] of names) {
    if (policy !== undefined && !policyName.test(policy)) {
      problems.push(
        `${name} must be a B2C user flow or custom policy name such as B2C_1_susi or B2C_1A_signup_signin (got "${policy.slice(0, 80)}").`,
      );
      valid = false;
    }
  }
  const given = names.map(([, policy]) => policy).filter((p) => p !== undefined);
  if (valid && new Set(given.map((p) => p.toLowerCase())).size !== given.length) {
    problems.push(
      `The B2C user flows must be different policies (got ${given.join(", ")}): each one does one job.`,
    );
    valid = false;
  }
  if (!valid) return undefined;
  const flow = (policy: string | undefined): UserFlow | undefined =>
    policy === undefined ? undefined : { policy, authority: `${origin}/${tenant}/${policy}` };
  const profileEdit = flow(read("B2C_PROFILE_EDIT_POLICY"));
  const passwordReset = flow(read("B2C_PASSWORD_RESET_POLICY"));
  const userFlows: UserFlows = {
    signUpSignIn: flow(signUpSignIn)!,
    ...(profileEdit ? { profileEdit } : {}),
    ...(passwordReset ? { passwordReset } : {}),
  };
  return { kind: "b2c", url: userFlows.signUpSignIn.authority, host, userFlows };
}

/** The user flows whose metadata the BFF loads: sign-up/sign-in first. */
export function userFlowList(flows: UserFlows | undefined): UserFlow[] {
  if (!flows) return [];
  return [flows.signUpSignIn, flows.profileEdit, flows.passwordReset].filter(
    (flow): flow is UserFlow => flow !== undefined,
  );
}
