/** Scope handling: Entra answers with short-form Graph scopes and the OIDC scopes it granted. */

const oidcScopes = new Set(["openid", "profile", "email", "offline_access"]);
const graphPrefixes = ["https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000/"];
/** What the emulated tenant's admin consented to for every app: no user is ever asked. */
export const adminConsentedGraphScopes: readonly string[] = ["User.Read"];

/**
 * The Graph delegated permissions the emulator knows, with the description Entra's consent
 * prompt shows the user.
 */
export const graphScopeDescriptions: Readonly<Record<string, string>> = {
  "User.Read": "Sign you in and read your profile",
  "User.ReadBasic.All": "Read all users' basic profiles",
  "Mail.Read": "Read your mail",
  "Calendars.Read": "Read your calendars",
  "Contacts.Read": "Read your contacts",
  "Files.Read": "Read your files",
};
const knownGraphScopes = Object.keys(graphScopeDescriptions);

export interface ScopeRequest {
  /** Graph scopes in short form, e.g. ["User.Read"]. */
  graph: string[];
  oidc: string[];
  /** A scope for a resource the emulator does not host, if any. */
  foreign: string | undefined;
}

export function parseScopes(scope: string | undefined): ScopeRequest {
  const graph: string[] = [];
  const oidc: string[] = [];
  let foreign: string | undefined;
  for (const raw of (scope ?? "").split(" ").filter(Boolean)) {
    const lower = raw.toLowerCase();
    if (oidcScopes.has(lower)) {
      oidc.push(lower);
      continue;
    }
    const prefix = graphPrefixes.find((p) => lower.startsWith(p));
    const short = prefix ? raw.slice(prefix.length) : raw;
    if (short === ".default") {
      graph.push(...adminConsentedGraphScopes);
      continue;
    }
    const known = knownGraphScopes.find((s) => s.toLowerCase() === short.toLowerCase());
    if (known) graph.push(known);
    else foreign ??= raw;
  }
  return { graph: unique(graph), oidc: unique(oidc), foreign };
}

/**
 * The `scope` Entra returns and puts in the Graph token's `scp`: e.g. "openid profile
 * User.Read email". Without a Graph scope it still issues a Graph token for what the tenant
 * consented. `offline_access` is never echoed.
 */
export function grantedScope(request: ScopeRequest): string[] {
  const graph = request.graph.length > 0 ? request.graph : [...adminConsentedGraphScopes];
  const head = ["openid", "profile"].filter((s) => request.oidc.includes(s));
  const tail = request.oidc.includes("openid") ? ["email"] : [];
  return unique([...head, ...graph, ...tail]);
}

export function wantsRefreshToken(request: ScopeRequest): boolean {
  return request.oidc.includes("offline_access");
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
