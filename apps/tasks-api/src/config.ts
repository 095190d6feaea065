// The Tasks API's settings: read once from the environment, validated all at once.
import { isAbsolute, resolve } from "node:path";
import {
  ConfigError,
  type Env,
  type LogLevel,
  parseInteger,
  parseLogLevel,
  settingReader,
} from "@entra-bff/service-kit";

/** The dev registration the emulator provides (interfaces.md); a real tenant sets its own. */
export const devClientId = "00000000-0000-0000-0000-00000007a5c5";

export interface Config {
  /** `https://login.microsoftonline.com/<tenant>`, without a trailing slash. */
  authority: string;
  /** The authority names `common` or `organizations`: tokens from many tenants, issuer template. */
  multiTenant: boolean;
  /** The API's Application (client) ID: the `aud` of v2.0 access tokens. */
  clientId: string;
  /** `api://<client id>` unless set: also accepted as `aud`. */
  appIdUri: string;
  /**
   * Lowercase tenant ids whose tokens a multi-tenant authority may present. Not used with a
   * single-tenant authority: its issuer already names the one tenant.
   */
  allowedTenants: string[];
  /** Absolute folder holding `tasks.db`. */
  dataDir: string;
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Discovery and JWKS requests. */
  idpTimeoutMs: number;
}

export { ConfigError, type LogLevel };

export interface LoadConfigOptions {
  /**
   * The repository root: a relative TASKS_DATA_DIR is resolved from here (not from the
   * working directory, which `pnpm start` sets to apps/tasks-api), and the default data
   * folder is `<root>/.data/tasks-api`.
   */
  rootDir: string;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const multiTenantSegments = new Set(["common", "organizations"]);

/**
 * Validates every setting and reports all problems in one `ConfigError`.
 * Does not read `process.env` (server.ts passes it in), touches no file and contacts nothing.
 */
export function loadConfig(env: Env, options: LoadConfigOptions): Config {
  const problems: string[] = [];
  const read = settingReader(env);

  const authorityName = read("TASKS_API_AUTHORITY") ? "TASKS_API_AUTHORITY" : "ENTRA_AUTHORITY";
  const authority = parseAuthority(authorityName, read(authorityName), problems);

  const clientId = read("TASKS_API_CLIENT_ID") ?? devClientId;
  if (!guid.test(clientId)) {
    problems.push(
      `TASKS_API_CLIENT_ID must be the API registration's Application (client) ID, a GUID (got "${clientId}").`,
    );
  }
  const appIdUri = read("TASKS_API_APP_ID_URI") ?? `api://${clientId}`;
  if (!/^(api|https?):\/\/\S+$/.test(appIdUri) || appIdUri.endsWith("/")) {
    problems.push(
      `TASKS_API_APP_ID_URI must be the Application ID URI, e.g. api://<client id>, without a trailing slash (got "${appIdUri}").`,
    );
  }

  const allowedTenants = parseTenants(read("ALLOWED_TENANTS"), problems);
  const multiTenant = authority !== undefined && multiTenantSegments.has(authority.lastSegment);
  if (multiTenant && allowedTenants.length === 0) {
    // The issuer template accepts any organization's tokens: without a list, any Entra
    // tenant in the world could create users here.
    problems.push(
      `ALLOWED_TENANTS is required with a multi-tenant ${authorityName} ("${authority?.lastSegment}"): the comma-separated tenant ids whose users may call the API.`,
    );
  }

  const dataDirValue = read("TASKS_DATA_DIR");
  const dataDir =
    dataDirValue === undefined
      ? resolve(options.rootDir, ".data", "tasks-api")
      : isAbsolute(dataDirValue)
        ? dataDirValue
        : resolve(options.rootDir, dataDirValue);

  const port = parseInteger("TASKS_API_PORT", read("TASKS_API_PORT"), 4000, 0, 65535, problems);
  const host = read("TASKS_API_HOST") ?? "127.0.0.1";
  const logLevel = parseLogLevel(read("LOG_LEVEL"), problems);
  const idpTimeoutMs = parseInteger(
    "IDP_TIMEOUT_MS",
    read("IDP_TIMEOUT_MS"),
    10_000,
    1,
    120_000,
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    authority: authority!.url,
    multiTenant,
    clientId: clientId.toLowerCase(),
    appIdUri,
    allowedTenants,
    dataDir,
    port,
    host,
    logLevel,
    idpTimeoutMs,
  };
}

function parseAuthority(
  name: string,
  value: string | undefined,
  problems: string[],
): { url: string; lastSegment: string } | undefined {
  if (value === undefined) {
    problems.push(
      "TASKS_API_AUTHORITY (or ENTRA_AUTHORITY) is required (e.g. https://login.microsoftonline.com/<tenant-id>).",
    );
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // The signing keys come from this authority: over plain http anyone on the path could
  // substitute their own and mint tokens.
  if (url?.protocol !== "https:") {
    problems.push(`${name} must be an https URL (got "${value}").`);
    return undefined;
  }
  const segments = url.pathname.split("/").filter(Boolean);
  if (segments.length === 0 || url.search || url.hash || url.username || url.password) {
    problems.push(
      `${name} must be "https://<host>/<tenant>" with no query or fragment (got "${value}").`,
    );
    return undefined;
  }
  return {
    url: `${url.origin}/${segments.join("/")}`,
    lastSegment: segments[segments.length - 1]!.toLowerCase(),
  };
}

function parseTenants(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const tenants = [
    ...new Set(
      value
        .split(",")
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  const malformed = tenants.filter((t) => !guid.test(t));
  if (malformed.length > 0) {
    problems.push(
      `ALLOWED_TENANTS must list tenant ids (GUIDs), comma-separated; not: ${malformed
        .map((t) => JSON.stringify(t.slice(0, 80)))
        .join(", ")}.`,
    );
    return [];
  }
  return tenants;
}
