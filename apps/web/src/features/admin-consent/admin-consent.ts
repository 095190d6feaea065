import { paths } from "@entra-bff/contract";

/**
 * Admin-consent onboarding: a customer's administrator grants this app its permissions for
 * their whole organization. `GET /auth/admin-consent?tenant=` (the BFF) sends them to Entra's
 * `/{tenant}/v2.0/adminconsent`, and comes back to `/admin-consent?result=granted&tenant=…`
 * or `?result=failed&error=<code>`.
 */

const tenantIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name with at least one dot, as `contoso.onmicrosoft.com` or `contoso.com`. */
const domainPattern = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** Entra's aliases name no organization: consent must be for one. */
const aliases = new Set(["common", "organizations", "consumers"]);

/** The tenant as typed, trimmed and checked: an id (GUID) or a domain name. */
export function checkTenant(input: string): { tenant: string } | { problem: string } {
  const tenant = input.trim();
  if (tenant === "") return { problem: "Enter your organization's tenant ID or domain." };
  if (aliases.has(tenant.toLowerCase())) {
    return {
      problem: `"${tenant}" names no organization. Enter your own tenant ID or domain, such as contoso.onmicrosoft.com.`,
    };
  }
  if (!tenantIdPattern.test(tenant) && !domainPattern.test(tenant)) {
    return {
      problem:
        "That is neither a tenant ID (like 72f988bf-86f1-41af-91ab-2d7cd011db47) nor a domain (like contoso.onmicrosoft.com).",
    };
  }
  return { tenant: tenant.toLowerCase() };
}

export function adminConsentUrl(tenant: string): string {
  return `${paths.adminConsent}?${new URLSearchParams({ tenant })}`;
}

/** Why admin consent failed, by the `error` code the BFF passes back. */
const failureMessages: Record<string, string> = {
  access_denied:
    "Only an administrator can grant consent for an organization. Sign in with an administrator account, or ask one to do this.",
  consent_required: "Consent was cancelled at Microsoft. Nothing was changed in your organization.",
  invalid_request:
    "Microsoft did not accept the request. Check the tenant ID or domain and try again.",
  invalid_tenant:
    "That is not an organization Microsoft knows. Check the tenant ID or domain and try again.",
  unauthorized_client:
    "This app is not set up for other organizations. Contact the app's publisher.",
  tenant_not_allowed:
    "This app does not accept sign-ins from that organization yet. Contact the app's publisher to have it added.",
  tenant_mismatch:
    "Consent was given for a different organization than the one asked for. Try again, signing in with an administrator of the right organization.",
  state_mismatch:
    "This consent attempt expired or was started in another browser. Please start again.",
  idp_error: "Microsoft could not complete the consent. Please try again.",
  idp_unavailable: "Microsoft sign-in is not reachable right now. Please try again in a moment.",
};

export type AdminConsentOutcome =
  | { result: "granted"; tenant: string | undefined }
  /** `code` only when it is one we know: an unknown value from the URL is never echoed. */
  | { result: "failed"; code: string | undefined; message: string };

/** The outcome the page's URL reports, or undefined when it reports none. */
export function adminConsentOutcome(search: {
  result?: string | undefined;
  tenant?: string | undefined;
  error?: string | undefined;
}): AdminConsentOutcome | undefined {
  if (search.result === "granted") {
    const checked = checkTenant(search.tenant ?? "");
    return { result: "granted", tenant: "tenant" in checked ? checked.tenant : undefined };
  }
  if (search.result === "failed") {
    const code = search.error;
    if (code && Object.hasOwn(failureMessages, code)) {
      return { result: "failed", code, message: failureMessages[code] as string };
    }
    return {
      result: "failed",
      code: undefined,
      message: "Consent did not complete. Please try again, or ask your administrator.",
    };
  }
  return undefined;
}
