import { describe, expect, it } from "vitest";
import { ConfigError, devClientId, loadConfig } from "../src/config.ts";

const root = { rootDir: "/srv/entra-bff" };
const authority = "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee";

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, root);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("defaults: the dev client id, api://<id>, port 4000 on 127.0.0.1, data under the repository", () => {
    const config = loadConfig({ ENTRA_AUTHORITY: `${authority}/` }, root);
    expect(config).toEqual({
      authority,
      multiTenant: false,
      clientId: devClientId,
      appIdUri: `api://${devClientId}`,
      allowedTenants: [],
      dataDir: "/srv/entra-bff/.data/tasks-api",
      port: 4000,
      host: "127.0.0.1",
      logLevel: "info",
      idpTimeoutMs: 10_000,
    });
  });

  it("reads every setting; TASKS_API_AUTHORITY wins over ENTRA_AUTHORITY", () => {
    const config = loadConfig(
      {
        ENTRA_AUTHORITY: "https://login.microsoftonline.com/other",
        TASKS_API_AUTHORITY: "https://login.microsoftonline.com/organizations",
        TASKS_API_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
        TASKS_API_APP_ID_URI: "api://tasks.contoso.example",
        ALLOWED_TENANTS:
          " AAAABBBB-0000-cccc-1111-dddd2222eeee ,, 12345678-1234-1234-1234-123456789abc",
        TASKS_DATA_DIR: "/var/lib/tasks",
        TASKS_API_PORT: "4100",
        TASKS_API_HOST: "0.0.0.0",
        LOG_LEVEL: "WARN",
      },
      root,
    );
    expect(config).toMatchObject({
      authority: "https://login.microsoftonline.com/organizations",
      multiTenant: true,
      clientId: "11111111-2222-3333-4444-555555555555",
      appIdUri: "api://tasks.contoso.example",
      allowedTenants: [
        "aaaabbbb-0000-cccc-1111-dddd2222eeee",
        "12345678-1234-1234-1234-123456789abc",
      ],
      dataDir: "/var/lib/tasks",
      port: 4100,
      host: "0.0.0.0",
      logLevel: "warn",
    });
  });

  it("resolves a relative TASKS_DATA_DIR from the repository root, not the working directory", () => {
    expect(
      loadConfig({ ENTRA_AUTHORITY: authority, TASKS_DATA_DIR: "data/tasks" }, root).dataDir,
    ).toBe("/srv/entra-bff/data/tasks");
  });

  it("requires ALLOWED_TENANTS with a multi-tenant authority", () => {
    for (const segment of ["organizations", "common"]) {
      expect(problems({ ENTRA_AUTHORITY: `https://login.microsoftonline.com/${segment}` })).toEqual(
        [
          expect.stringMatching(
            new RegExp(
              `ALLOWED_TENANTS is required with a multi-tenant ENTRA_AUTHORITY \\("${segment}"\\)`,
            ),
          ),
        ],
      );
    }
  });

  it("reports every problem at once", () => {
    expect(
      problems({
        TASKS_API_AUTHORITY: "http://login.microsoftonline.com/x",
        TASKS_API_CLIENT_ID: "tasks-api",
        TASKS_API_APP_ID_URI: "api://x/",
        ALLOWED_TENANTS: "contoso.com",
        TASKS_API_PORT: "99999",
        LOG_LEVEL: "loud",
        IDP_TIMEOUT_MS: "0",
      }),
    ).toEqual([
      'TASKS_API_AUTHORITY must be an https URL (got "http://login.microsoftonline.com/x").',
      expect.stringMatching(/^TASKS_API_CLIENT_ID must be .* a GUID \(got "tasks-api"\)/),
      expect.stringMatching(/^TASKS_API_APP_ID_URI must be the Application ID URI/),
      expect.stringMatching(/^ALLOWED_TENANTS must list tenant ids .*"contoso.com"/),
      'TASKS_API_PORT must be an integer from 0 to 65535 (got "99999").',
      expect.stringMatching(/^LOG_LEVEL must be one of/),
      'IDP_TIMEOUT_MS must be an integer from 1 to 120000 (got "0").',
    ]);
  });

  it("needs an authority", () => {
    expect(problems({})).toEqual([
      expect.stringMatching(/^TASKS_API_AUTHORITY \(or ENTRA_AUTHORITY\) is required/),
    ]);
    expect(problems({ ENTRA_AUTHORITY: "https://login.microsoftonline.com/" })).toEqual([
      expect.stringMatching(/must be "https:\/\/<host>\/<tenant>"/),
    ]);
  });
});
