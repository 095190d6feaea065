/** `pnpm emulator`: runs the emulator standalone, configured from the environment. */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { signInName, tenantKinds } from "./customer-tenants.ts";
import { defaultApiPermissions, defaultClient, tasksApiRegistration } from "./defaults.ts";
import { hostnamesFromEnv } from "./dev-certificates.ts";
import { createEmulator } from "./emulator.ts";
import type { ClientRegistration, TenantKind, TestUser } from "./types.ts";

const env = process.env;

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

async function readUsers(file: string | undefined): Promise<TestUser[] | undefined> {
  if (!file) return undefined;
  const users = JSON.parse(await readFile(file, "utf8")) as unknown;
  if (!Array.isArray(users) || users.length === 0) {
    throw new TypeError(`EMULATOR_USERS_FILE ${file} must hold a non-empty JSON array of users`);
  }
  return users as TestUser[];
}

// `--https-pages` (or EMULATOR_HTTPS_PAGES=1): the sign-in and sign-out pages over https, as
// Entra's, for clients that refuse http endpoints; the browser must then trust the dev CA.
// `--kind external|b2c` (or EMULATOR_TENANT_KIND): an External ID or B2C tenant instead.
const args = process.argv.slice(2);
const httpsPages = args.includes("--https-pages") || env.EMULATOR_HTTPS_PAGES === "1";
let kindArg: string | undefined;
const unknownFlags: string[] = [];
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i]!;
  if (arg === "--https-pages") continue;
  if (arg === "--kind") kindArg = args[++i] ?? "";
  else if (arg.startsWith("--kind=")) kindArg = arg.slice("--kind=".length);
  else unknownFlags.push(arg);
}
if (unknownFlags.length > 0) {
  console.error(
    `unknown argument ${unknownFlags.join(" ")}; the emulator takes --https-pages and --kind workforce|external|b2c`,
  );
  process.exit(1);
}
const kindName = kindArg ?? (env.EMULATOR_TENANT_KIND || "workforce");
if (!tenantKinds.includes(kindName as TenantKind)) {
  console.error(
    `${kindArg === undefined ? "EMULATOR_TENANT_KIND" : "--kind"} must be one of ${tenantKinds.join(", ")}, got "${kindName}"`,
  );
  process.exit(1);
}
const tenantKind = kindName as TenantKind;
// B2C's user flows; the BFF's settings of the same name work here too (one .env line each).
const policy = (name: string) => env[`EMULATOR_${name}`] || env[name] || undefined;
const b2c =
  tenantKind === "b2c"
    ? {
        ...(policy("B2C_SIGNUP_SIGNIN_POLICY")
          ? { signUpSignInPolicy: policy("B2C_SIGNUP_SIGNIN_POLICY") }
          : {}),
        ...(policy("B2C_PROFILE_EDIT_POLICY")
          ? { profileEditPolicy: policy("B2C_PROFILE_EDIT_POLICY") }
          : {}),
        ...(policy("B2C_PASSWORD_RESET_POLICY")
          ? { passwordResetPolicy: policy("B2C_PASSWORD_RESET_POLICY") }
          : {}),
      }
    : undefined;

const port = Number(env.EMULATOR_PORT ?? 8443);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`EMULATOR_PORT must be a port number, got "${env.EMULATOR_PORT}"`);
  process.exit(1);
}

// The Tasks API's registration; one .env line (TASKS_API_CLIENT_ID) sets it here and in the API.
const tasksApiId = env.EMULATOR_TASKS_API_CLIENT_ID || env.TASKS_API_CLIENT_ID || undefined;
if (tasksApiId !== undefined && !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(tasksApiId)) {
  const name = env.EMULATOR_TASKS_API_CLIENT_ID
    ? "EMULATOR_TASKS_API_CLIENT_ID"
    : "TASKS_API_CLIENT_ID";
  console.error(`${name} must be a client id (a GUID), got "${tasksApiId}"`);
  process.exit(1);
}
const tasksApi = tasksApiRegistration(tasksApiId);
const tasksApiUri = env.EMULATOR_TASKS_API_APP_ID_URI || env.TASKS_API_APP_ID_URI;
if (tasksApiUri) tasksApi.applicationIdUri = tasksApiUri;

const client: ClientRegistration = {
  // The dev registration's app roles and permissions (the Tasks API's scope under its id).
  ...defaultClient,
  apiPermissions: defaultApiPermissions(tasksApi),
  clientId: env.EMULATOR_CLIENT_ID || defaultClient.clientId,
  clientSecret: env.EMULATOR_CLIENT_SECRET || defaultClient.clientSecret,
  redirectUris: list(env.EMULATOR_REDIRECT_URIS) ?? defaultClient.redirectUris,
  ...(env.EMULATOR_FRONTCHANNEL_LOGOUT_URI
    ? { frontchannelLogoutUri: env.EMULATOR_FRONTCHANNEL_LOGOUT_URI }
    : {}),
};

const emulator = await createEmulator({
  port,
  tenantKind,
  ...(b2c ? { b2c } : {}),
  host: env.EMULATOR_HOST || "127.0.0.1",
  backchannelUrl: env.EMULATOR_BACKCHANNEL_URL || undefined,
  browserUrl: env.EMULATOR_PUBLIC_URL || undefined,
  httpsPages,
  tenantId: env.EMULATOR_TENANT_ID || undefined,
  users: await readUsers(env.EMULATOR_USERS_FILE),
  clients: [client],
  apis: [tasksApi],
  certDir: env.EMULATOR_CERT_DIR || undefined,
  hostnames: hostnamesFromEnv(),
});

// `pnpm dev` configures its BFF itself (on Vite's origin); a BFF started on its own, e.g. with
// `pnpm start`, is on another registered origin.
const bffOrigin =
  client.redirectUris
    .map((uri) => new URL(uri).origin)
    .find((o) => o !== "http://localhost:5173") ??
  new URL(client.redirectUris[0] ?? "http://localhost:3000").origin;
const kindLabel = {
  workforce: "Entra ID",
  external: "Entra External ID",
  b2c: "Azure AD B2C",
}[tenantKind];
// What only a customer tenant's BFF needs: its kind (localhost names none) and B2C's flows.
const kindSettings = [
  ...(tenantKind === "workforce" ? [] : [`ENTRA_TENANT_KIND=${tenantKind}`]),
  ...(emulator.b2cPolicies
    ? [
        `B2C_SIGNUP_SIGNIN_POLICY=${emulator.b2cPolicies.signUpSignIn}`,
        ...(emulator.b2cPolicies.profileEdit
          ? [`B2C_PROFILE_EDIT_POLICY=${emulator.b2cPolicies.profileEdit}`]
          : []),
        ...(emulator.b2cPolicies.passwordReset
          ? [`B2C_PASSWORD_RESET_POLICY=${emulator.b2cPolicies.passwordReset}`]
          : []),
      ]
    : []),
].map((line) => `\n    ${line}`);
console.log(`${kindLabel} emulator (dev-only) listening
  sign-in pages (browser):  ${emulator.browserUrl}${
    httpsPages
      ? "  (--https-pages: the browser must trust the dev CA below)"
      : "  (plain http: no certificate warning; --https-pages for clients that insist on https)"
  }
  redirect URIs:            ${client.redirectUris.join(", ")}
  test users:
${emulator.users.map((u) => `    ${signInName(tenantKind, u)}  (${u.displayName})`).join("\n")}

  A BFF signs in here with these settings (dev-only values), e.g. as lines of .env for
  \`pnpm build && pnpm start\`; PUBLIC_ORIGIN/auth/callback must be a redirect URI above:

    ENTRA_AUTHORITY=${emulator.authority}${kindSettings.join("")}
    ENTRA_CLIENT_ID=${client.clientId}
    ENTRA_CLIENT_SECRET=${client.clientSecret ?? ""}
    GRAPH_BASE_URL=${emulator.graphBaseUrl}
    PUBLIC_ORIGIN=${bffOrigin}
    SESSION_KEYS=${randomBytes(32).toString("base64")}
    NODE_EXTRA_CA_CERTS=${emulator.caFile}

  NODE_EXTRA_CA_CERTS is the emulator's dev CA. Node reads it only when a process starts, so
  set it in the environment (or .env with \`pnpm start\`) before the BFF starts.`);

// Ctrl-C under `pnpm emulator` arrives twice (from the terminal, and passed on by pnpm): a
// second signal must not kill the process mid-close, or pnpm reports a failure.
let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void emulator.close().then(() => process.exit(0));
  });
}
