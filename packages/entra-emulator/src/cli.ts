/** `pnpm emulator`: runs the emulator standalone, configured from the environment. */
import { readFile } from "node:fs/promises";
import { defaultClient } from "./defaults.ts";
import { hostnamesFromEnv } from "./dev-certificates.ts";
import { createEmulator } from "./emulator.ts";
import type { ClientRegistration, TestUser } from "./types.ts";

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

const port = Number(env.EMULATOR_PORT ?? 8443);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`EMULATOR_PORT must be a port number, got "${env.EMULATOR_PORT}"`);
  process.exit(1);
}

const client: ClientRegistration = {
  clientId: env.EMULATOR_CLIENT_ID || defaultClient.clientId,
  clientSecret: env.EMULATOR_CLIENT_SECRET || defaultClient.clientSecret,
  redirectUris: list(env.EMULATOR_REDIRECT_URIS) ?? defaultClient.redirectUris,
  ...(env.EMULATOR_FRONTCHANNEL_LOGOUT_URI
    ? { frontchannelLogoutUri: env.EMULATOR_FRONTCHANNEL_LOGOUT_URI }
    : {}),
};

const emulator = await createEmulator({
  port,
  host: env.EMULATOR_HOST || "127.0.0.1",
  backchannelUrl: env.EMULATOR_BACKCHANNEL_URL || undefined,
  browserUrl: env.EMULATOR_PUBLIC_URL || undefined,
  tenantId: env.EMULATOR_TENANT_ID || undefined,
  users: await readUsers(env.EMULATOR_USERS_FILE),
  clients: [client],
  certDir: env.EMULATOR_CERT_DIR || undefined,
  hostnames: hostnamesFromEnv(),
});

console.log(`Entra ID emulator (dev-only) listening
  authority (ENTRA_AUTHORITY):   ${emulator.authority}
  Graph base (GRAPH_BASE_URL):   ${emulator.graphBaseUrl}
  sign-in pages (browser):       ${emulator.browserUrl}
  client id (ENTRA_CLIENT_ID):   ${client.clientId}
  redirect URIs:                 ${client.redirectUris.join(", ")}
  test users:
${emulator.users.map((u) => `    ${u.userPrincipalName}  (${u.displayName})`).join("\n")}
  dev CA: ${emulator.caFile}
  Node clients must trust it, set before they start:
    NODE_EXTRA_CA_CERTS=${emulator.caFile}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
