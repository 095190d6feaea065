#!/usr/bin/env node
// `pnpm entra:manifest`: the Entra ID app registrations this configuration needs, as
// Microsoft Graph `application` JSON and as the `az` commands that create them. Reads the
// same settings as the BFF (environment, then `.env`), validated by the BFF's own loadConfig.
// Prints no secret: a client secret is created by the commands and shown once by `az`.
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Config, ConfigError, loadConfig } from "../apps/bff/src/config.ts";
import { resourceOf } from "../apps/bff/src/downstream/declarations.ts";
import { paths } from "../packages/contract/src/paths.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Microsoft Graph's application id. */
export const graphAppId = "00000003-0000-0000-c000-000000000000";
const graphResource = "https://graph.microsoft.com";
const tokenExchangeAudience = "api://AzureADTokenExchange";
const devTasksApiClientId = "00000000-0000-0000-0000-00000007a5c5";

/**
 * Microsoft Graph delegated permission ids (they are the same in every tenant). A scope not
 * listed is left out of the JSON and looked up by name in the `az` commands.
 */
export const graphDelegatedPermissionIds: Readonly<Record<string, string>> = {
  "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
  "User.ReadBasic.All": "b340eb25-3456-403f-be2f-af7a0d370277",
  "Mail.Read": "570282fd-fa5c-430d-a7fd-fc8dc98a9dca",
  "Calendars.Read": "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42",
  "Contacts.Read": "ff74d97f-43af-4b68-9f2a-b77ee6968c5d",
  "Files.Read": "10465720-29dd-4523-a11a-6a75c743c9d9",
};
/** Granted with every sign-in: never listed as permissions. */
const oidcScopes = new Set(["openid", "profile", "email", "offline_access"]);

interface ResourceAccess {
  resourceAppId: string;
  resourceAccess: { id: string; type: "Scope" }[];
}

interface AppRole {
  allowedMemberTypes: ("User" | "Application")[];
  description: string;
  displayName: string;
  id: string;
  isEnabled: true;
  value: string;
}

/** The subset of Microsoft Graph's `application` resource this project sets. */
export interface GraphApplication {
  displayName: string;
  signInAudience: "AzureADMyOrg" | "AzureADMultipleOrgs";
  identifierUris?: string[];
  web?: {
    redirectUris: string[];
    logoutUrl: string;
    implicitGrantSettings: { enableIdTokenIssuance: false; enableAccessTokenIssuance: false };
  };
  api?: {
    requestedAccessTokenVersion: 2;
    oauth2PermissionScopes: {
      id: string;
      value: string;
      type: "User";
      isEnabled: true;
      adminConsentDisplayName: string;
      adminConsentDescription: string;
      userConsentDisplayName: string;
      userConsentDescription: string;
    }[];
  };
  optionalClaims?: { idToken: { name: string; essential: false }[] };
  requiredResourceAccess?: ResourceAccess[];
  appRoles?: AppRole[];
  keyCredentials?: {
    type: "AsymmetricX509Cert";
    usage: "Verify";
    key: string;
    displayName: string;
  }[];
}

/** Entra's federatedIdentityCredential. */
export interface FederatedIdentityCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string;
}

export interface EntraManifest {
  /** The BFF's registration (a confidential web app). */
  bff: GraphApplication;
  /** The Tasks API's registration, when a declared API calls it. */
  tasksApi?: { clientId: string; applicationIdUri: string; application: GraphApplication };
  /** For ENTRA_CLIENT_ASSERTION_FILE and ENTRA_MANAGED_IDENTITY: the trust to add to the BFF. */
  federatedIdentityCredentials: FederatedIdentityCredential[];
  /** Permissions whose id this script does not know; the `az` commands look them up. */
  unresolvedPermissions: { resource: string; scope: string }[];
  /** What the operator must fill in or decide. */
  notes: string[];
  config: Config;
}

/** A GUID derived from a name, so that running the script again yields the same ids. */
export function stableId(name: string): string {
  const hex = createHash("sha256").update(`entra-bff:${name}`).digest("hex");
  // RFC 9562 layout, version 8 (custom), variant 10.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Builds the registrations from the BFF's settings. Settings a registration does not depend
 * on (SESSION_KEYS, a credential, the client id) get placeholders when unset, so that one
 * can print the manifest before the app exists. Throws the BFF's `ConfigError`.
 */
export function buildManifest(env: Record<string, string | undefined>): EntraManifest {
  const notes: string[] = [];
  const defaults: Record<string, string> = {
    SESSION_KEYS: Buffer.alloc(32).toString("base64"),
  };
  if (!env.ENTRA_CLIENT_ID?.trim())
    defaults.ENTRA_CLIENT_ID = "00000000-0000-0000-0000-000000000000";
  if (!env.ENTRA_AUTHORITY?.trim()) {
    defaults.ENTRA_AUTHORITY =
      "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000";
    notes.push(
      "ENTRA_AUTHORITY is not set: a single-tenant registration (AzureADMyOrg) is assumed.",
    );
  }
  const credentialNames = [
    "ENTRA_CLIENT_SECRET",
    "ENTRA_CLIENT_CERTIFICATE",
    "ENTRA_CLIENT_ASSERTION_FILE",
    "ENTRA_MANAGED_IDENTITY",
    "AZURE_FEDERATED_TOKEN_FILE",
  ];
  if (!credentialNames.some((name) => env[name]?.trim())) {
    defaults.ENTRA_CLIENT_SECRET = "placeholder";
    notes.push(
      "No client credential is set: the commands create a client secret. A certificate or workload identity federation is stronger in production.",
    );
  }
  if (!env.PUBLIC_ORIGIN?.trim()) {
    defaults.PUBLIC_ORIGIN = "http://localhost:5173";
    notes.push(
      "PUBLIC_ORIGIN is not set: using `pnpm dev`'s http://localhost:5173. Set it to your production origin too.",
    );
  }
  if (
    env.DOWNSTREAM_APIS_FILE === undefined &&
    existsSync(join(repo, "config/downstream-apis.json"))
  ) {
    defaults.DOWNSTREAM_APIS_FILE = join(repo, "config/downstream-apis.json");
  }
  const config = loadConfig({ ...defaults, ...env });
  const multiTenant = /\/(organizations|common)$/i.test(config.authority);
  const signInAudience = multiTenant ? "AzureADMultipleOrgs" : "AzureADMyOrg";
  const tenant = config.authority.split("/").at(-1)!;

  // Every scope a session may hold: SCOPES, INCREMENTAL_SCOPES and the declared APIs'.
  const scopes = [
    ...new Set([
      ...config.scopes,
      ...config.incrementalScopes,
      ...config.downstreamApis.flatMap((api) => api.scopes),
    ]),
  ].filter((scope) => !oidcScopes.has(scope));

  const tasksClientId = env.TASKS_API_CLIENT_ID?.trim() || devTasksApiClientId;
  const tasksAppIdUri = (env.TASKS_API_APP_ID_URI?.trim() || `api://${tasksClientId}`).replace(
    /\/+$/,
    "",
  );
  const isTasksScope = (scope: string) => resourceOf(scope) === tasksAppIdUri.toLowerCase();
  const tasksScopes = [...new Set(scopes.filter(isTasksScope).map(scopeName))];
  const tasksScopeId = (value: string) => stableId(`scope ${tasksAppIdUri}/${value}`);

  const unresolvedPermissions: { resource: string; scope: string }[] = [];
  const access = new Map<string, ResourceAccess>();
  const grant = (resourceAppId: string, id: string) => {
    const entry = access.get(resourceAppId) ?? { resourceAppId, resourceAccess: [] };
    if (!entry.resourceAccess.some((a) => a.id === id))
      entry.resourceAccess.push({ id, type: "Scope" });
    access.set(resourceAppId, entry);
  };
  for (const scope of scopes) {
    const resource = resourceOf(scope);
    if (resource === graphResource) {
      const id = graphDelegatedPermissionIds[scope];
      if (id) grant(graphAppId, id);
      else unresolvedPermissions.push({ resource: graphAppId, scope });
    } else if (isTasksScope(scope)) {
      grant(tasksClientId, tasksScopeId(scopeName(scope)));
    } else {
      const guid = /^api:\/\/([0-9a-f-]{36})$/i.exec(resource)?.[1];
      unresolvedPermissions.push({ resource: guid ?? resource, scope: scopeName(scope) });
    }
  }

  // App roles the BFF checks (DOWNSTREAM_APIS_FILE `roles`) come from its own ID tokens.
  const roleUsers = new Map<string, string[]>();
  for (const api of config.downstreamApis) {
    for (const role of api.roles ?? [])
      roleUsers.set(role, [...(roleUsers.get(role) ?? []), api.name]);
  }
  const appRoles = [...roleUsers].map(([value, apis]) =>
    appRole(value, `bff ${value}`, `Needed for ${apis.map((name) => `/api/${name}`).join(", ")}.`),
  );

  const bff: GraphApplication = {
    displayName: env.ENTRA_APP_NAME?.trim() || "entra-bff",
    signInAudience,
    web: {
      redirectUris: [
        `${config.publicOrigin}${paths.callback}`,
        `${config.publicOrigin}${paths.adminConsentCallback}`,
      ],
      logoutUrl: `${config.publicOrigin}${paths.frontchannelLogout}`,
      // The BFF uses the code flow with PKCE; tokens never travel in a URL fragment.
      implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false },
    },
    optionalClaims: {
      idToken: [
        // login_hint: sign-out without an account picker; sid: front-channel logout.
        { name: "login_hint", essential: false },
        { name: "sid", essential: false },
      ],
    },
    requiredResourceAccess: [...access.values()],
    appRoles,
  };

  const federatedIdentityCredentials: FederatedIdentityCredential[] = [];
  const credentials = config.credentials;
  if (credentials.kind === "certificate") {
    bff.keyCredentials = credentials.files.map((file) => {
      const certificate = new X509Certificate(readFileSync(file, "utf8"));
      return {
        type: "AsymmetricX509Cert",
        usage: "Verify",
        key: certificate.raw.toString("base64"),
        displayName: certificate.subject.replace(/\n/g, ", "),
      };
    });
  } else if (credentials.kind === "federated") {
    const claims = tokenClaims(credentials.tokenFile);
    federatedIdentityCredentials.push({
      name: "entra-bff-workload",
      issuer:
        claims.iss ??
        "<your platform's OIDC issuer URL, e.g. az aks show --query oidcIssuerProfile.issuerUrl>",
      subject: claims.sub ?? "system:serviceaccount:<namespace>:<service account>",
      audiences: [tokenExchangeAudience],
      description: `The token in ${credentials.setting} (${credentials.tokenFile}).`,
    });
    if (!claims.iss)
      notes.push(
        `${credentials.tokenFile} holds no readable token yet: fill in the issuer and subject.`,
      );
  } else if (credentials.kind === "managed_identity") {
    federatedIdentityCredentials.push({
      name: "entra-bff-managed-identity",
      issuer: `https://login.microsoftonline.com/${multiTenant ? "<your tenant id>" : tenant}/v2.0`,
      subject: "<the managed identity's object (principal) id>",
      audiences: [tokenExchangeAudience],
      description: `The ${credentials.clientId ? `user-assigned managed identity ${credentials.clientId}` : "system-assigned managed identity"} (ENTRA_MANAGED_IDENTITY).`,
    });
  }
  for (const { resource, scope } of unresolvedPermissions) {
    notes.push(
      `The id of ${scope} (${resource}) is looked up by the az commands; it is not in the JSON.`,
    );
  }

  let tasksApi: EntraManifest["tasksApi"];
  if (tasksScopes.length > 0) {
    const apiRoles = [
      ...new Set(
        config.downstreamApis
          .filter((api) => api.scopes.some(isTasksScope))
          .flatMap((api) => api.roles ?? []),
      ),
    ];
    tasksApi = {
      clientId: tasksClientId,
      applicationIdUri: tasksAppIdUri,
      application: {
        displayName: `${bff.displayName} Tasks API`,
        signInAudience,
        identifierUris: [tasksAppIdUri],
        api: {
          // The Tasks API accepts v2.0 access tokens only.
          requestedAccessTokenVersion: 2,
          oauth2PermissionScopes: tasksScopes.map((value) => ({
            id: tasksScopeId(value),
            value,
            type: "User",
            isEnabled: true,
            adminConsentDisplayName: `${value} on the Tasks API`,
            adminConsentDescription: `Allows the app to call the Tasks API (${value}) on behalf of the signed-in user.`,
            userConsentDisplayName: "Read and write your tasks",
            userConsentDescription: "Allows the app to read and write your tasks on your behalf.",
          })),
        },
        appRoles: apiRoles.map((value) =>
          appRole(
            value,
            `tasks ${value}`,
            `The Tasks API's ${value} role (e.g. GET /admin/summary).`,
          ),
        ),
      },
    };
  }

  return { bff, tasksApi, federatedIdentityCredentials, unresolvedPermissions, notes, config };
}

function appRole(value: string, idName: string, description: string): AppRole {
  return {
    allowedMemberTypes: ["User"],
    description,
    displayName: value,
    id: stableId(`app role ${idName}`),
    isEnabled: true,
    value,
  };
}

/** `api://x/Tasks.ReadWrite` → `Tasks.ReadWrite`; a Graph short-form scope as is. */
function scopeName(scope: string): string {
  return scope.slice(scope.lastIndexOf("/") + 1);
}

/** The unverified `iss` and `sub` of the token in a file: only to prefill the trust. */
function tokenClaims(file: string): { iss?: string; sub?: string } {
  try {
    const payload = readFileSync(file, "utf8").trim().split(".")[1] ?? "";
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return {
      ...(typeof claims.iss === "string" ? { iss: claims.iss } : {}),
      ...(typeof claims.sub === "string" ? { sub: claims.sub } : {}),
    };
  } catch {
    return {};
  }
}

/** Single-quoted for bash. */
function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A bash script (set -euo pipefail) that creates or updates the registrations with `az`. */
export function azCommands(
  manifest: EntraManifest,
  env: Record<string, string | undefined>,
): string {
  const lines: string[] = [
    "#!/usr/bin/env bash",
    "# Creates (or updates) the Entra ID registrations entra-bff needs. Run after `az login`",
    "# as a user who may register applications (e.g. Application Developer).",
    "set -euo pipefail",
    'graph="https://graph.microsoft.com/v1.0"',
    "",
  ];
  const { tasksApi } = manifest;
  const bffBody = structuredClone(manifest.bff);
  if (tasksApi) {
    const existing = env.TASKS_API_CLIENT_ID?.trim();
    lines.push(
      "# 1. The Tasks API: exposes its scope; its Application ID URI is api://<its client id>.",
    );
    const body = { ...tasksApi.application, identifierUris: undefined };
    if (existing) {
      lines.push(`TASKS_API_CLIENT_ID=${sh(existing)}`);
      lines.push(
        `az rest --method PATCH --uri "$graph/applications(appId='$TASKS_API_CLIENT_ID')" --headers Content-Type=application/json --body ${sh(JSON.stringify({ ...body, identifierUris: [tasksApi.applicationIdUri] }))}`,
      );
    } else {
      lines.push(
        `TASKS_API_CLIENT_ID=$(az rest --method POST --uri "$graph/applications" --headers Content-Type=application/json --body ${sh(JSON.stringify(body))} --query appId -o tsv)`,
        'az ad app update --id "$TASKS_API_CLIENT_ID" --identifier-uris "api://$TASKS_API_CLIENT_ID"',
        'az ad sp create --id "$TASKS_API_CLIENT_ID" >/dev/null',
      );
    }
    lines.push("");
    // The BFF's permission names the API by its (new) client id.
    for (const entry of bffBody.requiredResourceAccess ?? []) {
      if (entry.resourceAppId === tasksApi.clientId)
        entry.resourceAppId = "__TASKS_API_CLIENT_ID__";
    }
  }
  lines.push(
    "# 2. The BFF: redirect URIs, front-channel logout, optional claims, permissions, app roles.",
  );
  const bffJson = sh(JSON.stringify(bffBody)).replace(
    /__TASKS_API_CLIENT_ID__/g,
    `'"$TASKS_API_CLIENT_ID"'`,
  );
  const existingApp = env.ENTRA_CLIENT_ID?.trim();
  if (existingApp) {
    lines.push(
      `APP_ID=${sh(existingApp)}`,
      `az rest --method PATCH --uri "$graph/applications(appId='$APP_ID')" --headers Content-Type=application/json --body ${bffJson}`,
    );
  } else {
    lines.push(
      `APP_ID=$(az rest --method POST --uri "$graph/applications" --headers Content-Type=application/json --body ${bffJson} --query appId -o tsv)`,
      'az ad sp create --id "$APP_ID" >/dev/null',
    );
  }
  for (const { resource, scope } of manifest.unresolvedPermissions) {
    lines.push(
      `az ad app permission add --id "$APP_ID" --api ${sh(resource)} --api-permissions "$(az ad sp show --id ${sh(resource)} --query ${sh(`oauth2PermissionScopes[?value=='${scope}'].id | [0]`)} -o tsv)=Scope"`,
    );
  }
  lines.push("");
  lines.push("# 3. The client credential.");
  const credentials = manifest.config.credentials;
  switch (credentials.kind) {
    case "secret":
      lines.push(
        "# A new secret, shown once: put it first in ENTRA_CLIENT_SECRET and its end date in",
        "# ENTRA_CLIENT_SECRET_EXPIRES (the BFF warns 30 days before).",
        'az ad app credential reset --id "$APP_ID" --append --display-name entra-bff --years 1 --query "{ENTRA_CLIENT_SECRET: password}" -o table',
        'az ad app credential list --id "$APP_ID" --query "[?displayName==\'entra-bff\'].endDateTime" -o tsv',
      );
      break;
    case "certificate":
      lines.push("# The certificate(s) are in the JSON's keyCredentials (public part only).");
      break;
    default:
      for (const fic of manifest.federatedIdentityCredentials) {
        lines.push(
          `az ad app federated-credential create --id "$APP_ID" --parameters ${sh(JSON.stringify(fic))}`,
        );
      }
  }
  lines.push(
    "",
    "# 4. Optional: consent for the whole organization now (else each user consents at sign-in).",
    '# az ad app permission admin-consent --id "$APP_ID"',
    "# App roles are assigned under Enterprise applications > Users and groups.",
    "",
    'echo "ENTRA_CLIENT_ID=$APP_ID"',
    `echo ${sh(`ENTRA_AUTHORITY=${manifest.config.authority}`)}`,
    ...(tasksApi ? ['echo "TASKS_API_CLIENT_ID=$TASKS_API_CLIENT_ID"'] : []),
  );
  return `${lines.join("\n")}\n`;
}

function main(argv: string[]): void {
  const format = argv.includes("--json") ? "json" : argv.includes("--az") ? "az" : "both";
  if (argv.some((arg) => !["--json", "--az"].includes(arg))) {
    process.stderr.write("usage: pnpm entra:manifest [--json | --az]\n");
    process.exit(2);
  }
  const dotEnv = join(repo, ".env");
  if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);
  let manifest: EntraManifest;
  try {
    manifest = buildManifest(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config: _config, ...document } = manifest;
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  if (format === "az") {
    process.stdout.write(azCommands(manifest, process.env));
    return;
  }
  const out: string[] = [];
  for (const note of manifest.notes) out.push(`# note: ${note}`);
  out.push(
    "",
    "# The BFF's registration: POST https://graph.microsoft.com/v1.0/applications",
    JSON.stringify(manifest.bff, null, 2),
  );
  if (manifest.tasksApi) {
    out.push(
      "",
      "# The Tasks API's registration",
      JSON.stringify(manifest.tasksApi.application, null, 2),
    );
  }
  if (manifest.federatedIdentityCredentials.length > 0) {
    out.push(
      "",
      "# Federated credential of the BFF: POST …/applications/{id}/federatedIdentityCredentials",
      JSON.stringify(manifest.federatedIdentityCredentials, null, 2),
    );
  }
  out.push(
    "",
    "# The same with the Azure CLI (or: pnpm entra:manifest --az > register.sh)",
    azCommands(manifest, process.env),
  );
  process.stdout.write(`${out.join("\n")}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
