// DOWNSTREAM_APIS_FILE: what a declaration may say, and every problem named at start-up.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

const base = {
  ENTRA_AUTHORITY: "https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee",
  ENTRA_CLIENT_ID: "client",
  ENTRA_CLIENT_SECRET: "dev-only-secret",
  PUBLIC_ORIGIN: "http://localhost:3000",
  SESSION_KEYS: Buffer.alloc(32, 1).toString("base64"),
};
const dir = mkdtempSync(join(tmpdir(), "entra-bff-declarations-"));
let n = 0;

function file(content: unknown): string {
  const path = join(dir, `apis-${n++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

const valid = {
  baseUrl: "https://api.contoso.example/v1",
  scopes: ["api://contoso-api/Items.Read"],
  allow: ["GET /items", "GET /items/{id}"],
};

describe("DOWNSTREAM_APIS_FILE", () => {
  it("loads the repository's own file, expanding settings and their defaults", () => {
    const config = loadConfig({
      ...base,
      DOWNSTREAM_APIS_FILE: "config/downstream-apis.json",
      GRAPH_BASE_URL: "https://graph.example.test/v1.0",
    });
    const byName = Object.fromEntries(config.downstreamApis.map((api) => [api.name, api]));
    expect(Object.keys(byName).sort()).toEqual(["graph", "tasks", "tasks-admin"]);
    expect(byName.graph?.baseUrl.href).toBe("https://graph.example.test/v1.0");
    expect(byName.graph?.requestHeaders.has("consistencylevel")).toBe(true);
    expect(byName.tasks?.baseUrl.origin).toBe("http://localhost:4000");
    expect(byName.tasks?.scopes).toEqual([
      "api://00000000-0000-0000-0000-00000007a5c5/Tasks.ReadWrite",
    ]);
    expect(byName["tasks-admin"]?.roles).toEqual(["Tasks.Admin"]);
    // A declared API's scopes may be consented to incrementally.
    expect(config.incrementalScopes).toEqual(
      expect.arrayContaining(["User.ReadBasic.All", byName.tasks!.scopes[0]]),
    );
  });

  it("without the setting there are no declared APIs", () => {
    expect(loadConfig(base).downstreamApis).toEqual([]);
  });

  it("names a missing or unreadable file", () => {
    expect(problems({ DOWNSTREAM_APIS_FILE: join(dir, "nope.json") })).toEqual([
      expect.stringMatching(/DOWNSTREAM_APIS_FILE ".*nope\.json" cannot be read: no such file\./),
    ]);
    expect(problems({ DOWNSTREAM_APIS_FILE: file("{ not json") })[0]).toMatch(/not JSON/);
  });

  it("names every problem at once, each with where it is", () => {
    const found = problems({
      DOWNSTREAM_APIS_FILE: file({
        apis: {
          me: valid,
          "Bad Name": valid,
          plain: { ...valid, baseUrl: "http://api.contoso.example" },
          query: { ...valid, baseUrl: "https://api.contoso.example/?x=1" },
          mixed: { ...valid, scopes: ["User.Read", "api://other/Scope"] },
          long: { ...valid, scopes: ["https://graph.microsoft.com/User.Read"] },
          routes: {
            ...valid,
            allow: ["FETCH /x", "GET relative", "GET /a/../b", "GET /a//b", "GET /%2e"],
          },
          headers: {
            ...valid,
            requestHeaders: ["Cookie", "authorization", "X-CSRF", "host", "bad header"],
          },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the file's own ${NAME} syntax
          unset: { ...valid, baseUrl: "${NOT_SET_ANYWHERE}/x" },
          extra: { ...valid, unknownOption: true },
          limits: { ...valid, timeoutMs: 0, bodyLimitBytes: -1 },
        },
      }),
    });
    const text = found.join("\n");
    for (const expected of [
      /apis\.me: an API name must match/,
      /apis\.Bad Name: an API name must match/,
      /apis\.plain\.baseUrl must be https/,
      /apis\.query\.baseUrl must have no query/,
      /apis\.mixed\.scopes names scopes of 2 resources/,
      /apis\.long\.scopes must use the short form/,
      /apis\.routes\.allow\[0\]: "FETCH \/x" must be/,
      /apis\.routes\.allow\[1\]/,
      /apis\.routes\.allow\[2\]: .*no empty, "\." or "\.\." segments/,
      /apis\.routes\.allow\[3\]/,
      /apis\.routes\.allow\[4\]/,
      /apis\.headers\.requestHeaders: "Cookie" cannot be passed through/,
      /apis\.headers\.requestHeaders: "authorization"/,
      /apis\.headers\.requestHeaders: "X-CSRF"/,
      /apis\.headers\.requestHeaders: "host"/,
      /apis\.headers\.requestHeaders: "bad header"/,
      /apis\.unset\.baseUrl uses \$\{NOT_SET_ANYWHERE\}, which is not set/,
    ]) {
      expect(text).toMatch(expected);
    }
  });

  it("reports schema violations with their JSON path", () => {
    const text = problems({
      DOWNSTREAM_APIS_FILE: file({ apis: { a: { ...valid, unknownOption: true, timeoutMs: 0 } } }),
    }).join("\n");
    expect(text).toMatch(/\/apis\/a must not have additional properties/);
    expect(text).toMatch(/\/apis\/a\/timeoutMs must be >= 1/);
    expect(problems({ DOWNSTREAM_APIS_FILE: file({ api: {} }) }).join("\n")).toMatch(
      /must have required properties apis|must not have additional properties/,
    );
  });

  it("allows plain http to loopback, and to hosts ALLOW_HTTP_UPSTREAMS names", () => {
    const http = file({ apis: { a: { ...valid, baseUrl: "http://tasks-api:4000" } } });
    expect(problems({ DOWNSTREAM_APIS_FILE: http })).toHaveLength(1);
    expect(problems({ DOWNSTREAM_APIS_FILE: http, ALLOW_HTTP_UPSTREAMS: "tasks-api" })).toEqual([]);
    const local = file({ apis: { a: { ...valid, baseUrl: "http://127.0.0.1:4000/x/" } } });
    const config = loadConfig({ ...base, DOWNSTREAM_APIS_FILE: local });
    expect(config.downstreamApis[0]?.baseUrl.href).toBe("http://127.0.0.1:4000/x");
  });
});

describe("ALLOWED_TENANTS", () => {
  it("takes tenant ids, and names anything else", () => {
    const tid = "AAAABBBB-0000-CCCC-1111-DDDD2222EEEE";
    expect(loadConfig({ ...base, ALLOWED_TENANTS: `${tid}, ${tid}` }).allowedTenants).toEqual([
      tid.toLowerCase(),
    ]);
    expect(problems({ ALLOWED_TENANTS: "contoso.onmicrosoft.com" })).toEqual([
      'ALLOWED_TENANTS must be comma-separated tenant ids (GUIDs, the `tid` claim); not a tenant id: "contoso.onmicrosoft.com".',
    ]);
  });
});
