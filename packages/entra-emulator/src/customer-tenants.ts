/**
 * Customer tenants: Microsoft Entra External ID (`<name>.ciamlogin.com`) and Azure AD B2C
 * (`<name>.b2clogin.com`). Their issuers, B2C's user flows (policies), the default customer
 * accounts and B2C's own errors.
 */
import type { EntraErrorInput } from "./entra-error.ts";
import type { B2cOptions, TenantKind, TestUser } from "./types.ts";

export const tenantKinds: readonly TenantKind[] = ["workforce", "external", "b2c"];

/** B2C's user flows and token compatibility settings, resolved from `B2cOptions`. */
export interface B2cSettings {
  policies: { signUpSignIn: string; profileEdit?: string; passwordReset?: string };
  policyClaim: "tfp" | "acr";
  issuerFormat: "tenant" | "tfp";
}

/** What a B2C user flow does: sign up or in, edit the profile, reset the password. */
export type UserFlow = keyof B2cSettings["policies"];

/** User flows are `B2C_1_<name>`, custom policies `B2C_1A_<name>`. */
const policyName = /^B2C_1A?_[A-Za-z0-9_.-]{1,100}$/i;

/** Checks the kind and B2C's options; a misconfiguration is a TypeError naming the value. */
export function resolveTenantKind(
  kind: TenantKind | undefined,
  b2c: B2cOptions | undefined,
): { kind: TenantKind; b2c: B2cSettings | undefined } {
  const resolved = kind ?? "workforce";
  if (!tenantKinds.includes(resolved)) {
    throw new TypeError(`tenantKind must be one of ${tenantKinds.join(", ")} (got "${kind}")`);
  }
  if (resolved !== "b2c") {
    if (b2c !== undefined) throw new TypeError('b2c options need tenantKind: "b2c"');
    return { kind: resolved, b2c: undefined };
  }
  const named = (option: string, value: string | null | undefined, fallback: string) => {
    if (value === null) return undefined;
    const policy = value ?? fallback;
    if (typeof policy !== "string" || !policyName.test(policy)) {
      throw new TypeError(
        `b2c.${option} must be a user flow name such as B2C_1_${fallback.slice(6)} (got "${policy}")`,
      );
    }
    return policy;
  };
  const signUpSignIn = named("signUpSignInPolicy", b2c?.signUpSignInPolicy, "B2C_1_susi")!;
  const profileEdit = named("profileEditPolicy", b2c?.profileEditPolicy, "B2C_1_profile_edit");
  const passwordReset = named(
    "passwordResetPolicy",
    b2c?.passwordResetPolicy,
    "B2C_1_password_reset",
  );
  const names = [signUpSignIn, profileEdit, passwordReset].filter((p) => p !== undefined);
  if (new Set(names.map((p) => p.toLowerCase())).size !== names.length) {
    throw new TypeError(
      `b2c policies must be three different user flows (got ${names.join(", ")})`,
    );
  }
  const policyClaim = b2c?.policyClaim ?? "tfp";
  if (policyClaim !== "tfp" && policyClaim !== "acr") {
    throw new TypeError(`b2c.policyClaim must be "tfp" or "acr" (got "${policyClaim}")`);
  }
  const issuerFormat = b2c?.issuerFormat ?? "tenant";
  if (issuerFormat !== "tenant" && issuerFormat !== "tfp") {
    throw new TypeError(`b2c.issuerFormat must be "tenant" or "tfp" (got "${issuerFormat}")`);
  }
  return {
    kind: resolved,
    b2c: {
      policies: {
        signUpSignIn,
        ...(profileEdit ? { profileEdit } : {}),
        ...(passwordReset ? { passwordReset } : {}),
      },
      policyClaim,
      issuerFormat,
    },
  };
}

/** The configured user flow a URL names (B2C compares policy names case-insensitively). */
export function findUserFlow(
  settings: B2cSettings,
  name: string | undefined,
): { flow: UserFlow; policy: string } | undefined {
  if (!name) return undefined;
  const wanted = name.toLowerCase();
  for (const [flow, policy] of Object.entries(settings.policies) as [UserFlow, string][]) {
    if (policy.toLowerCase() === wanted) return { flow, policy };
  }
  return undefined;
}

/**
 * External ID's issuer names the tenant's id as host and path, whichever host the app signs
 * in at (`<name>.ciamlogin.com` or a custom URL domain): not the authority's host.
 */
export function externalIdIssuer(tenantId: string): string {
  return `https://${tenantId}.ciamlogin.com/${tenantId}/v2.0`;
}

/**
 * B2C's issuer is on the host the app signs in at, with a trailing slash: the tenant's
 * (`<host>/<tid>/v2.0/`, B2C's default) or, with the `tfp` format, the policy's.
 */
export function b2cIssuer(
  baseUrl: string,
  tenantId: string,
  settings: B2cSettings,
  policy: string,
): string {
  return settings.issuerFormat === "tfp"
    ? `${baseUrl}/tfp/${tenantId}/${policy.toLowerCase()}/v2.0/`
    : `${baseUrl}/${tenantId}/v2.0/`;
}

/**
 * B2C's `client_info` uid: the object id and the (lower-case) policy, so MSAL's account id
 * (`<oid>-<policy>.<tid>`) differs per user flow.
 */
export function b2cAccountUid(oid: string, policy: string): string {
  return `${oid}-${policy.toLowerCase()}`;
}

/** Azure AD B2C's errors (its error code reference), in B2C's format. */
export const b2cErrors = {
  forgotPassword: (): EntraErrorInput => ({
    error: "access_denied",
    code: 90118,
    message: "The user has forgotten their password.",
    product: "b2c",
  }),
  cancelled: (): EntraErrorInput => ({
    error: "access_denied",
    code: 90091,
    message: "The user has cancelled entering self-asserted information.",
    product: "b2c",
  }),
  policyNotFound: (policy: string, tenant: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 90022,
    message: `Unable to return metadata for the policy '${policy}' in tenant '${tenant}'.`,
    product: "b2c",
  }),
  noPolicy: (tenant: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 90022,
    message: `The request names no user flow for tenant '${tenant}': use /${tenant}/<policy>/… or ?p=<policy>.`,
    product: "b2c",
  }),
  grantForOtherPolicy: (actual: string, expected: string): EntraErrorInput => ({
    error: "invalid_grant",
    code: 90088,
    message: `The provided grant has not been issued for this endpoint. Actual Value : ${actual} and Expected Value : ${expected}`,
    product: "b2c",
  }),
  scopeNotSupported: (scope: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 90117,
    message: `The scope '${scope}' provided in the request is not supported.`,
    product: "b2c",
  }),
  multipleResources: (scope: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 90146,
    message: `The scope '${scope}' provided in request specifies more than one resource for an access token, which is not supported.`,
    product: "b2c",
  }),
  invalidPrompt: (): EntraErrorInput => ({
    error: "invalid_request",
    code: 90043,
    message:
      "The prompt included in the request contains invalid values. Expected 'none', 'login', 'consent' or 'select_account'.",
    product: "b2c",
  }),
};

/**
 * A few customer accounts (dev-only) for External ID and B2C tenants: local accounts that sign
 * in with an e-mail address, and one social (Google) account. As at Entra, their
 * `userPrincipalName` is an id in the tenant's domain; they sign in with `mail`.
 */
export function defaultCustomers(tenantDomain: string): TestUser[] {
  const customer = (
    n: number,
    givenName: string,
    surname: string,
    mail: string,
    identityProvider?: string,
  ): TestUser => {
    const oid = `00000000-0000-4000-8000-c0570000000${n}`;
    return {
      oid,
      displayName: `${givenName} ${surname}`,
      givenName,
      surname,
      userPrincipalName: `${oid}@${tenantDomain}`,
      mail,
      jobTitle: null,
      officeLocation: null,
      businessPhones: [],
      mobilePhone: null,
      preferredLanguage: null,
      hasPhoto: false,
      ...(identityProvider ? { identityProvider } : {}),
    };
  };
  return [
    customer(1, "Avery", "Brooks", "avery.brooks@example.com"),
    customer(2, "Jordan", "Lee", "jordan.lee@example.net"),
    customer(3, "Sam", "Rivera", "sam.rivera@example.org", "google.com"),
  ];
}

/** How a customer signs in and is shown: their e-mail address (a UPN is an internal id). */
export function signInName(kind: TenantKind, user: TestUser): string {
  return kind !== "workforce" && user.mail ? user.mail : user.userPrincipalName;
}
