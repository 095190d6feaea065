// The BFF's settings: read once from the environment, validated all at once.
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  ConfigError,
  type Env,
  type LogLevel,
  parseInteger,
  parseLogLevel,
  settingReader,
} from "@entra-bff/service-kit";
import { type ClientCredentialSettings, parseClientCredentials } from "./credentials/settings.ts";
import { type DownstreamApi, parseDeclarations, resourceOf } from "./downstream/declarations.ts";
import { parseTenantAuthority, type TenantKind, type UserFlows } from "./tenant-kind.ts";

export interface Config {
  /**
   * ENTRA_TENANT_KIND: workforce Entra ID, Entra External ID or Azure AD B2C (inferred from
   * a `*.ciamlogin.com` or `*.b2clogin.com` authority host).
   */
  tenantKind: TenantKind;
  /**
   * `https://login.microsoftonline.com/<tenant>`, without a trailing slash; for B2C the
   * sign-up/sign-in user flow's `https://<name>.b2clogin.com/<tenant>/<policy>`.
   */
  authority: string;
  /** B2C only: B2C_SIGNUP_SIGNIN_POLICY, B2C_PROFILE_EDIT_POLICY, B2C_PASSWORD_RESET_POLICY. */
  userFlows: UserFlows | undefined;
  /** Host (and port, when not 443) of the authority: MSAL's `knownAuthorities` entry. */
  authorityHost: string;
  clientId: string;
  /** How the app proves itself to Entra ID: exactly one kind (credentials/settings.ts). */
  credentials: ClientCredentialSettings;
  /** Without a trailing slash. */
  graphBaseUrl: string;
  /** Short-form delegated scopes (`User.Read`); MSAL adds `openid profile offline_access`. */
  scopes: string[];
  /**
   * Scopes `/auth/login?scopes=` may add (incremental consent). An allowlist: a link
   * from anywhere must not make a user consent to permissions the app never uses.
   */
  incrementalScopes: string[];
  /** The origin the browser sees, e.g. `https://app.contoso.com`. */
  publicOrigin: string;
  /** `${publicOrigin}/auth/callback`. */
  redirectUri: string;
  /** https public origin: cookies get `Secure` and the `__Host-` prefix. */
  secureCookies: boolean;
  /** 32-byte keys, newest first: the first encrypts, all decrypt. */
  sessionKeys: Buffer[];
  port: number;
  host: string;
  staticDir: string | undefined;
  trustProxy: boolean | number | string;
  logLevel: LogLevel;
  idpTimeoutMs: number;
  graphTimeoutMs: number;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  redisUrl: string | undefined;
  metricsPort: number | undefined;
  /** DOWNSTREAM_APIS_FILE: the APIs the SPA may call through `/api/<name>/…`. */
  downstreamApis: DownstreamApi[];
  /**
   * ALLOWED_TENANTS: the only organizations (`tid`) that may sign in, for multi-tenant
   * authorities (`organizations`, `common`); `undefined` lets every tenant the authority
   * admits in.
   */
  allowedTenants: string[] | undefined;
}

export { ConfigError, type LogLevel };

const localHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Validates every setting and reports all problems in one `ConfigError`.
 * Does not read `process.env` (server.ts passes it in) and contacts nothing.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = settingReader(env);
  const required = (name: string, hint: string): string | undefined => {
    const value = read(name);
    if (value === undefined) problems.push(`${name} is required (${hint}).`);
    return value;
  };

  const authority = parseTenantAuthority(read, problems);
  // B2C gives its users no Microsoft Graph token: SCOPES name the app's own APIs, if any.
  const b2c = authority?.kind === "b2c";
  const clientId = required("ENTRA_CLIENT_ID", "the app registration's Application (client) ID");
  const credentials = parseClientCredentials(read, problems);
  const graphBaseUrl = parseHttpsUrl(
    "GRAPH_BASE_URL",
    read("GRAPH_BASE_URL") ?? "https://graph.microsoft.com/v1.0",
    problems,
  );
  const scopes = parseScopes("SCOPES", read("SCOPES") ?? (b2c ? "" : "User.Read"), problems, {
    allowEmpty: b2c,
    noGraph: b2c,
  });
  const incrementalScopes = parseScopes(
    "INCREMENTAL_SCOPES",
    read("INCREMENTAL_SCOPES") ?? "",
    problems,
    { allowEmpty: true, noGraph: b2c },
  );
  const publicOrigin = parsePublicOrigin(
    required("PUBLIC_ORIGIN", "the origin the browser sees, e.g. https://app.contoso.com"),
    problems,
  );
  const sessionKeys = parseSessionKeys(
    required("SESSION_KEYS", "comma-separated base64 32-byte keys, newest first"),
    problems,
  );
  const port = parseInteger("PORT", read("PORT"), 3000, 0, 65535, problems);
  const host = read("HOST") ?? "0.0.0.0";
  const staticDir = parseStaticDir(read("STATIC_DIR"), problems);
  const trustProxy = parseTrustProxy(read("TRUST_PROXY"));
  const logLevel = parseLogLevel(read("LOG_LEVEL"), problems);
  const idpTimeoutMs = parseInteger(
    "IDP_TIMEOUT_MS",
    read("IDP_TIMEOUT_MS"),
    10_000,
    1,
    120_000,
    problems,
  );
  const graphTimeoutMs = parseInteger(
    "GRAPH_TIMEOUT_MS",
    read("GRAPH_TIMEOUT_MS"),
    10_000,
    1,
    120_000,
    problems,
  );
  const sessionIdleMinutes = parseInteger(
    "SESSION_IDLE_MINUTES",
    read("SESSION_IDLE_MINUTES"),
    120,
    1,
    60 * 24 * 90,
    problems,
  );
  const sessionAbsoluteHours = parseInteger(
    "SESSION_ABSOLUTE_HOURS",
    read("SESSION_ABSOLUTE_HOURS"),
    24,
    1,
    24 * 90,
    problems,
  );
  if (sessionIdleMinutes > sessionAbsoluteHours * 60) {
    problems.push(
      `SESSION_IDLE_MINUTES (${sessionIdleMinutes}) must not exceed SESSION_ABSOLUTE_HOURS (${sessionAbsoluteHours}) in minutes.`,
    );
  }
  const redisUrl = read("REDIS_URL");
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) {
    problems.push("REDIS_URL must be a redis:// or rediss:// URL.");
  }
  const metricsPortRaw = read("METRICS_PORT");
  const metricsPort =
    metricsPortRaw === undefined
      ? undefined
      : parseInteger("METRICS_PORT", metricsPortRaw, 0, 1, 65535, problems);

  const allowedTenants = parseAllowedTenants(read("ALLOWED_TENANTS"), problems);
  const downstreamApis = loadDownstreamApis(
    read("DOWNSTREAM_APIS_FILE"),
    { ...env, GRAPH_BASE_URL: graphBaseUrl },
    read("ALLOW_HTTP_UPSTREAMS"),
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    tenantKind: authority!.kind,
    authority: authority!.url,
    userFlows: authority!.userFlows,
    authorityHost: authority!.host,
    clientId: clientId!,
    credentials: credentials!,
    graphBaseUrl: graphBaseUrl!,
    scopes: scopes!,
    // A declared API's scopes may always be consented to incrementally: that is how its first
    // call gets the permission it needs.
    incrementalScopes: [
      ...new Set([...incrementalScopes!, ...downstreamApis!.flatMap((api) => api.scopes)]),
    ].filter((s) => !scopes!.includes(s)),
    publicOrigin: publicOrigin!,
    redirectUri: `${publicOrigin}/auth/callback`,
    secureCookies: publicOrigin!.startsWith("https:"),
    sessionKeys: sessionKeys!,
    port,
    host,
    staticDir,
    trustProxy,
    logLevel,
    idpTimeoutMs,
    graphTimeoutMs,
    sessionIdleMinutes,
    sessionAbsoluteHours,
    redisUrl,
    metricsPort,
    downstreamApis: downstreamApis!,
    allowedTenants,
  };
}

const tenantId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseAllowedTenants(value: string | undefined, problems: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const tenants = value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => t.toLowerCase());
  const bad = tenants.filter((t) => !tenantId.test(t));
  if (tenants.length === 0 || bad.length > 0) {
    problems.push(
      `ALLOWED_TENANTS must be comma-separated tenant ids (GUIDs, the \`tid\` claim)${bad.length > 0 ? `; not a tenant id: "${bad[0]!.slice(0, 80)}"` : ""}.`,
    );
    return undefined;
  }
  return [...new Set(tenants)];
}

/** Reads and checks DOWNSTREAM_APIS_FILE; no file means only the built-in `/api/me`. */
function loadDownstreamApis(
  file: string | undefined,
  settings: Record<string, string | undefined>,
  allowHttpUpstreams: string | undefined,
  problems: string[],
): DownstreamApi[] | undefined {
  if (file === undefined) return [];
  const path = resolve(file);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : error instanceof SyntaxError
          ? `not JSON (${error.message})`
          : (error as Error).message;
    problems.push(`DOWNSTREAM_APIS_FILE "${file}" cannot be read: ${reason}.`);
    return undefined;
  }
  const allowHttpHosts = new Set(
    (allowHttpUpstreams ?? "")
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((host) => host.toLowerCase()),
  );
  return parseDeclarations(
    document,
    { settings, allowHttpHosts },
    problems,
    `DOWNSTREAM_APIS_FILE ${file}`,
  );
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function parseHttpsUrl(name: string, value: string, problems: string[]): string | undefined {
  const url = parseUrl(value);
  // Access tokens travel to this URL: never over plain http.
  if (url?.protocol !== "https:" || url.search || url.hash) {
    problems.push(`${name} must be an https URL without query or fragment (got "${value}").`);
    return undefined;
  }
  return url.href.replace(/\/+$/, "");
}

function parseScopes(
  name: string,
  value: string,
  problems: string[],
  options: { allowEmpty?: boolean; noGraph?: boolean } = {},
): string[] | undefined {
  const scopes = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  if (scopes.length === 0 && !options.allowEmpty) {
    problems.push(`${name} must name at least one scope, e.g. User.Read.`);
    return undefined;
  }
  // RFC 6749 3.3 scope-token: printable ASCII without space, quote or backslash.
  const malformed = scopes.find((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s));
  if (malformed !== undefined) {
    problems.push(`${name} contains a malformed scope: ${JSON.stringify(malformed.slice(0, 80))}.`);
    return undefined;
  }
  const longForm = scopes.filter((s) => s.toLowerCase().startsWith("https://graph.microsoft.com/"));
  if (longForm.length > 0) {
    // Entra answers with short-form Graph scopes; a long-form request never matches, so
    // every renewal would look like a scope change.
    problems.push(
      `${name} must use the short form for Microsoft Graph (e.g. "User.Read", not "${longForm[0]}").`,
    );
    return undefined;
  }
  const graph = scopes.filter((s) => resourceOf(s) === "https://graph.microsoft.com");
  if (options.noGraph && graph.length > 0) {
    problems.push(
      `${name} names Microsoft Graph (${graph.slice(0, 3).join(", ")}), which Azure AD B2C gives its users no token for; name your API's scopes (<Application ID URI>/<scope>) or leave ${name} unset.`,
    );
    return undefined;
  }
  return scopes;
}

function parsePublicOrigin(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const url = parseUrl(value);
  if (
    !url ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.pathname !== "/" ||
    url.search ||
    url.hash ||
    url.username ||
    url.password ||
    value.replace(/\/$/, "") !== url.origin
  ) {
    problems.push(
      `PUBLIC_ORIGIN must be an origin such as https://app.contoso.com, with no path (got "${value}").`,
    );
    return undefined;
  }
  // Session cookies without `Secure` are only acceptable on the developer's own machine.
  if (url.protocol === "http:" && !localHosts.has(url.hostname)) {
    problems.push(
      `PUBLIC_ORIGIN must be https unless the host is localhost (got "${value}"); behind a TLS-terminating proxy, set the https origin and TRUST_PROXY.`,
    );
    return undefined;
  }
  return url.origin;
}

function parseSessionKeys(value: string | undefined, problems: string[]): Buffer[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",").map((part) => part.trim());
  const keys: Buffer[] = [];
  parts.forEach((part, index) => {
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(part) ? Buffer.from(part, "base64") : undefined;
    if (key?.length !== 32) {
      problems.push(
        `SESSION_KEYS entry ${index + 1} must be 32 bytes in base64 (generate one with \`openssl rand -base64 32\`).`,
      );
      return;
    }
    keys.push(key);
  });
  return keys.length === parts.length ? keys : undefined;
}

/** Relative to the working directory; `pnpm start` runs the BFF from the repository root. */
function parseStaticDir(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const dir = resolve(value);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const from = dir === value ? "" : `, which is ${dir} from the working directory`;
    problems.push(`STATIC_DIR must be an existing directory (got "${value}"${from}).`);
    return undefined;
  }
  return dir;
}

/** Fastify's `trustProxy`: `true`, a hop count, or a comma-separated list of addresses/CIDRs. */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value.toLowerCase() === "false") return false;
  if (value.toLowerCase() === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
