// The declared downstream APIs (DOWNSTREAM_APIS_FILE): what the SPA may call through the BFF,
// with whose token, and nothing else. Validated once at start-up; every problem is named.
import Type, { type Static, type TSchema } from "typebox";
import { Value } from "typebox/value";
import { compileAllowEntry, type RouteTemplate } from "./route-template.ts";

const ApiDeclarationSchema = Type.Object(
  {
    /** `https://…`, without query or fragment; `${SETTING}` and `${SETTING:-default}` expand. */
    baseUrl: Type.String({ minLength: 1 }),
    /** Delegated scopes of one resource; the access token for this API is requested with them. */
    scopes: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** `METHOD /path`, `{name}` standing for one path segment. */
    allow: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** Query parameters passed through; any other is refused (400). */
    query: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** Request headers passed through besides the standard ones (e.g. `ConsistencyLevel`). */
    requestHeaders: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 300_000 })),
    bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 * 1024 * 1024 })),
    /** App roles (the ID token's `roles`): the session must hold one of them. */
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  },
  { additionalProperties: false },
);

export const DownstreamApisFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apis: Type.Record(Type.String(), ApiDeclarationSchema),
  },
  { additionalProperties: false },
);
export type DownstreamApisFile = Static<typeof DownstreamApisFileSchema>;

/** The file's outline, checked before each API is checked on its own. */
const FileOutlineSchema = Type.Object(
  { $schema: Type.Optional(Type.String()), apis: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);

/** A declared API, checked and ready to route. */
export interface DownstreamApi {
  name: string;
  /** Without a trailing slash. */
  baseUrl: URL;
  scopes: string[];
  routes: RouteTemplate[];
  query: ReadonlySet<string>;
  /** Lower-case names, beyond the standard pass-through headers. */
  requestHeaders: ReadonlySet<string>;
  timeoutMs: number;
  bodyLimitBytes: number;
  roles: string[] | undefined;
}

export const defaultApiTimeoutMs = 10_000;
export const defaultBodyLimitBytes = 1024 * 1024;

/** `/api/me` is the built-in Graph profile route; a declared `me` would shadow it. */
const reservedNames = new Set(["me"]);
const apiName = /^[a-z][a-z0-9-]{0,39}$/;
// RFC 7230 token.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * Never from the browser: credentials (cookie, authorization, our x-csrf), what the proxy
 * sets itself (host, content-length), hop-by-hop headers (RFC 9110 7.6.1) and forwarding
 * headers a client could use to lie about itself.
 */
const forbiddenHeaders = new Set([
  "cookie",
  "authorization",
  "proxy-authorization",
  "x-csrf",
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
]);
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

export interface DeclarationContext {
  /** Settings the file may name: the environment, with the BFF's defaults applied. */
  settings: Record<string, string | undefined>;
  /** Hosts a token may be sent to over plain http (ALLOW_HTTP_UPSTREAMS); loopback always may. */
  allowHttpHosts: ReadonlySet<string>;
}

/**
 * Parses and checks a declarations document. Returns the APIs, or pushes one message per
 * problem onto `problems` (prefixed with `where`) and returns `undefined`.
 */
export function parseDeclarations(
  document: unknown,
  context: DeclarationContext,
  problems: string[],
  where: string,
): DownstreamApi[] | undefined {
  const before = problems.length;
  const schemaProblems = (schema: TSchema, value: unknown, prefix: string) =>
    [...Value.Errors(schema, value)]
      // TypeBox reports an additional property twice (as `false` and as the keyword).
      .filter((error) => error.keyword !== "boolean")
      .slice(0, 20)
      .map((error) => `${where}: ${prefix}${error.instancePath || ""} ${error.message}.`);
  // The file's shape first; then each API on its own, so one bad API hides no other problem.
  const shape = schemaProblems(FileOutlineSchema, document, "");
  if (shape.length > 0) {
    problems.push(...shape);
    return undefined;
  }
  const file = document as Static<typeof FileOutlineSchema>;
  const apis: DownstreamApi[] = [];
  for (const [name, value] of Object.entries(file.apis)) {
    const at = `${where}: apis.${name}`;
    if (!apiName.test(name) || reservedNames.has(name)) {
      problems.push(
        `${at}: an API name must match ${apiName} and not be "me" (its browser path is /api/<name>/…).`,
      );
      continue;
    }
    const invalid = schemaProblems(ApiDeclarationSchema, value, `/apis/${name}`);
    if (invalid.length > 0) {
      problems.push(...invalid);
      continue;
    }
    const declaration = value as Static<typeof ApiDeclarationSchema>;
    const baseUrl = parseBaseUrl(
      interpolate(declaration.baseUrl, context.settings, `${at}.baseUrl`, problems),
      context.allowHttpHosts,
      `${at}.baseUrl`,
      problems,
    );
    const scopes = declaration.scopes.map((scope, i) =>
      interpolate(scope, context.settings, `${at}.scopes[${i}]`, problems),
    );
    checkScopes(scopes, `${at}.scopes`, problems);
    const routes: RouteTemplate[] = [];
    declaration.allow.forEach((entry, i) => {
      const compiled = compileAllowEntry(entry);
      if (typeof compiled === "string") problems.push(`${at}.allow[${i}]: ${compiled}`);
      else routes.push(compiled);
    });
    const requestHeaders = new Set<string>();
    for (const header of declaration.requestHeaders ?? []) {
      const lower = header.toLowerCase();
      if (!headerName.test(header) || forbiddenHeaders.has(lower) || lower.startsWith("proxy-")) {
        problems.push(
          `${at}.requestHeaders: "${header.slice(0, 60)}" cannot be passed through (credentials, hop-by-hop and forwarding headers never are).`,
        );
      } else {
        requestHeaders.add(lower);
      }
    }
    if (baseUrl === undefined) continue;
    apis.push({
      name,
      baseUrl,
      scopes,
      routes,
      query: new Set(declaration.query ?? []),
      requestHeaders,
      timeoutMs: declaration.timeoutMs ?? defaultApiTimeoutMs,
      bodyLimitBytes: declaration.bodyLimitBytes ?? defaultBodyLimitBytes,
      roles: declaration.roles,
    });
  }
  return problems.length === before ? apis : undefined;
}

/** `${NAME}` and `${NAME:-default}`, as in shell and Compose files. */
function interpolate(
  value: string,
  settings: Record<string, string | undefined>,
  where: string,
  problems: string[],
): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback: string | undefined) => {
      const set = settings[name]?.trim();
      if (set) return set;
      if (fallback !== undefined) return fallback;
      problems.push(`${where} uses \${${name}}, which is not set.`);
      return "";
    },
  );
}

function parseBaseUrl(
  value: string,
  allowHttpHosts: ReadonlySet<string>,
  where: string,
  problems: string[],
): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${where} must be an absolute URL (got "${value.slice(0, 200)}").`);
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) {
    problems.push(`${where} must have no query, fragment or credentials (got "${url.href}").`);
    return undefined;
  }
  // Access tokens travel to this URL: plain http only on this machine, or to a host the
  // operator named for a private network (ALLOW_HTTP_UPSTREAMS).
  const httpAllowed = loopbackHosts.has(url.hostname) || allowHttpHosts.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && httpAllowed)) {
    problems.push(
      `${where} must be https (got "${url.href}"); plain http is allowed for localhost, or for hosts listed in ALLOW_HTTP_UPSTREAMS.`,
    );
    return undefined;
  }
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}

/**
 * Entra issues an access token for one resource at a time: Graph's short-form scopes
 * (`User.Read`) or `<resource>/<scope>`.
 */
function checkScopes(scopes: string[], where: string, problems: string[]): void {
  // RFC 6749 3.3 scope-token.
  const malformed = scopes.find((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s));
  if (malformed !== undefined) {
    problems.push(
      `${where} contains a malformed scope: ${JSON.stringify(malformed.slice(0, 80))}.`,
    );
    return;
  }
  const graphLong = scopes.find((s) => s.toLowerCase().startsWith("https://graph.microsoft.com/"));
  if (graphLong !== undefined) {
    problems.push(
      `${where} must use the short form for Microsoft Graph (e.g. "User.Read", not "${graphLong}").`,
    );
    return;
  }
  const resources = new Set(scopes.map(resourceOf));
  if (resources.size > 1) {
    problems.push(
      `${where} names scopes of ${resources.size} resources (${[...resources].join(", ")}); an access token is for one resource, so declare one API per resource.`,
    );
  }
}

/** `api://x/Tasks.ReadWrite` → `api://x`; a Graph short-form scope → Graph. */
export function resourceOf(scope: string): string {
  const slash = scope.lastIndexOf("/");
  return slash === -1 ? "https://graph.microsoft.com" : scope.slice(0, slash).toLowerCase();
}
