import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const key = (fill: number) => Buffer.alloc(32, fill).toString("base64");

const valid = {
  ENTRA_AUTHORITY: "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/",
  ENTRA_CLIENT_ID: "00000000-0000-0000-0000-0000000b0ff1",
  ENTRA_CLIENT_SECRET: "dev-only-test-secret",
  PUBLIC_ORIGIN: "https://app.contoso.com",
  SESSION_KEYS: `${key(1)},${key(2)}`,
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      authority: "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee",
      authorityHost: "login.microsoftonline.com",
      graphBaseUrl: "https://graph.microsoft.com/v1.0",
      scopes: ["User.Read"],
      incrementalScopes: [],
      publicOrigin: "https://app.contoso.com",
      redirectUri: "https://app.contoso.com/auth/callback",
      secureCookies: true,
      port: 3000,
      host: "0.0.0.0",
      staticDir: undefined,
      trustProxy: false,
      logLevel: "info",
      idpTimeoutMs: 10_000,
      graphTimeoutMs: 10_000,
      sessionIdleMinutes: 120,
      sessionAbsoluteHours: 24,
    });
    expect(config.sessionKeys.map((k) => k[0])).toEqual([1, 2]);
  });

  it("reads INCREMENTAL_SCOPES as an allowlist beside SCOPES, and checks it like SCOPES", () => {
    const config = loadConfig({
      ...valid,
      SCOPES: "User.Read",
      INCREMENTAL_SCOPES: "Calendars.Read, User.Read Calendars.Read",
    });
    expect(config.incrementalScopes).toEqual(["Calendars.Read"]);
    expect(
      problemsOf({
        ...valid,
        INCREMENTAL_SCOPES: "https://graph.microsoft.com/Mail.Read",
      }),
    ).toEqual([
      'INCREMENTAL_SCOPES must use the short form for Microsoft Graph (e.g. "User.Read", not "https://graph.microsoft.com/Mail.Read").',
    ]);
    expect(problemsOf({ ...valid, SCOPES: 'User.Read "x"' })).toEqual([
      `SCOPES contains a malformed scope: ${JSON.stringify('"x"')}.`,
    ]);
  });

  it("keeps the port in the known authority (MSAL matches host:port)", () => {
    const config = loadConfig({ ...valid, ENTRA_AUTHORITY: "https://localhost:8443/tenant" });
    expect(config.authorityHost).toBe("localhost:8443");
  });

  it("reads the optional settings", () => {
    const config = loadConfig({
      ...valid,
      PUBLIC_ORIGIN: "http://localhost:5173",
      SCOPES: "User.Read, Mail.Read",
      TRUST_PROXY: "1",
      IDP_TIMEOUT_MS: "2500",
      LOG_LEVEL: "DEBUG",
      REDIS_URL: "redis://127.0.0.1:6379",
      METRICS_PORT: "9464",
    });
    expect(config).toMatchObject({
      secureCookies: false,
      scopes: ["User.Read", "Mail.Read"],
      trustProxy: 1,
      idpTimeoutMs: 2500,
      logLevel: "debug",
      redisUrl: "redis://127.0.0.1:6379",
      metricsPort: 9464,
    });
  });

  it("names every missing setting in one error", () => {
    expect(() => loadConfig({})).toThrowError(ConfigError);
    expect(problemsOf({})).toEqual([
      "ENTRA_AUTHORITY is required (e.g. https://login.microsoftonline.com/<tenant-id>).",
      "ENTRA_CLIENT_ID is required (the app registration's Application (client) ID).",
      expect.stringMatching(/^A client credential is required: ENTRA_CLIENT_SECRET /),
      "PUBLIC_ORIGIN is required (the origin the browser sees, e.g. https://app.contoso.com).",
      "SESSION_KEYS is required (comma-separated base64 32-byte keys, newest first).",
    ]);
  });

  it("names every malformed setting in one error", () => {
    const problems = problemsOf({
      ...valid,
      ENTRA_AUTHORITY: "http://login.microsoftonline.com/tenant",
      GRAPH_BASE_URL: "http://graph.microsoft.com/v1.0",
      SCOPES: "https://graph.microsoft.com/User.Read",
      PUBLIC_ORIGIN: "https://app.contoso.com/app",
      SESSION_KEYS: `${key(1)},c2hvcnQ=`,
      PORT: "http",
      IDP_TIMEOUT_MS: "0",
      LOG_LEVEL: "verbose",
      REDIS_URL: "localhost:6379",
      STATIC_DIR: "/nonexistent/dist",
    });
    expect(problems).toEqual([
      'ENTRA_AUTHORITY must be an https URL (got "http://login.microsoftonline.com/tenant").',
      'GRAPH_BASE_URL must be an https URL without query or fragment (got "http://graph.microsoft.com/v1.0").',
      'SCOPES must use the short form for Microsoft Graph (e.g. "User.Read", not "https://graph.microsoft.com/User.Read").',
      'PUBLIC_ORIGIN must be an origin such as https://app.contoso.com, with no path (got "https://app.contoso.com/app").',
      "SESSION_KEYS entry 2 must be 32 bytes in base64 (generate one with `openssl rand -base64 32`).",
      'PORT must be an integer from 0 to 65535 (got "http").',
      'STATIC_DIR must be an existing directory (got "/nonexistent/dist").',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose").',
      'IDP_TIMEOUT_MS must be an integer from 1 to 120000 (got "0").',
      "REDIS_URL must be a redis:// or rediss:// URL.",
    ]);
  });

  it("refuses a plain-http public origin other than localhost", () => {
    expect(problemsOf({ ...valid, PUBLIC_ORIGIN: "http://app.contoso.com" })).toEqual([
      'PUBLIC_ORIGIN must be https unless the host is localhost (got "http://app.contoso.com"); behind a TLS-terminating proxy, set the https origin and TRUST_PROXY.',
    ]);
  });

  it("refuses an authority without a tenant and an idle lifetime beyond the absolute one", () => {
    expect(
      problemsOf({
        ...valid,
        ENTRA_AUTHORITY: "https://login.microsoftonline.com",
        SESSION_IDLE_MINUTES: "600",
        SESSION_ABSOLUTE_HOURS: "8",
      }),
    ).toEqual([
      'ENTRA_AUTHORITY must be "https://<host>/<tenant>" with no query or fragment (got "https://login.microsoftonline.com").',
      "SESSION_IDLE_MINUTES (600) must not exceed SESSION_ABSOLUTE_HOURS (8) in minutes.",
    ]);
  });

  it("starts the message with a headline and lists one problem per line", () => {
    expect(() => loadConfig({ ...valid, ENTRA_CLIENT_ID: " " })).toThrowError(
      "Invalid configuration:\n  - ENTRA_CLIENT_ID is required (the app registration's Application (client) ID).",
    );
  });
});
