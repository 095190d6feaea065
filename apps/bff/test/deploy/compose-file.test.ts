import { describe, expect, it } from "vitest";
import {
  composeSource,
  documentedSettings,
  interpolatedVariables,
  loadCompose,
  parseDockerfile,
  readRepoFile,
  repoFileExists,
  sourceText,
  stageEnv,
} from "./repo-files.ts";

// No Docker engine runs in CI, so docker-compose.yml is checked by reading it: every file,
// build target, port, volume and variable it names must exist and agree with the Dockerfile
// and with the settings the programs actually read.

const compose = loadCompose();
const composeText = composeSource();
const stages = parseDockerfile(readRepoFile("Dockerfile"));

const bffSource = sourceText("apps/bff/src");
const emulatorSource = sourceText("packages/entra-emulator/src");

describe("docker-compose.yml", () => {
  it("has the offline app, the emulator, and the real-Entra variant behind a profile", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "app-entra", "emulator"]);
    expect(compose.services.app?.profiles).toBeUndefined();
    expect(compose.services.emulator?.profiles).toBeUndefined();
    expect(compose.services["app-entra"]?.profiles).toEqual(["entra"]);
    expect(compose.services["app-entra"]?.depends_on).toBeUndefined();
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

  it("maps the ports the images listen on", () => {
    const app = stages.find((s) => s.name === "app")!;
    const emulator = stages.find((s) => s.name === "emulator")!;
    const exposed = (stage: typeof app) =>
      stage.instructions.filter((i) => i.keyword === "EXPOSE").map((i) => i.args);
    for (const name of ["app", "app-entra"]) {
      const service = compose.services[name]!;
      expect(service.ports?.map((p) => p.split(":").at(-1))).toEqual(["3000"]);
      expect(service.environment?.PORT).toBe(stageEnv(app).PORT);
      expect(exposed(app)).toEqual([service.environment?.PORT]);
      expect(service.environment?.STATIC_DIR).toBe(stageEnv(app).STATIC_DIR);
    }
    const emu = compose.services.emulator!;
    expect(emu.ports?.map((p) => p.split(":").at(-1))).toEqual(["8443"]);
    expect(emu.environment?.EMULATOR_PORT).toBe(stageEnv(emulator).EMULATOR_PORT);
    expect(exposed(emulator)).toEqual(["8443"]);
  });

  it("solves the two-names problem: the app's authority is the emulator's back-channel name", () => {
    const emu = compose.services.emulator!.environment!;
    const app = compose.services.app!.environment!;
    const backchannel = new URL(emu.EMULATOR_BACKCHANNEL_URL!);
    expect(backchannel.protocol).toBe("https:");
    expect(backchannel.hostname).toBe("emulator");
    expect(emu.EMULATOR_HOSTNAMES?.split(",")).toContain("emulator");
    expect(new URL(app.ENTRA_AUTHORITY!).origin).toBe(backchannel.origin);
    expect(new URL(app.GRAPH_BASE_URL!).origin).toBe(backchannel.origin);
    expect(new URL(emu.EMULATOR_PUBLIC_URL!).hostname).toBe("localhost");
    expect(emu.EMULATOR_REDIRECT_URIS).toBe(`${app.PUBLIC_ORIGIN}/auth/callback`);
    expect(app.ENTRA_CLIENT_ID).toBe(emu.EMULATOR_CLIENT_ID);
    expect(app.ENTRA_CLIENT_SECRET).toBe(emu.EMULATOR_CLIENT_SECRET);
    // The tenant in the authority is the emulator's default tenant.
    const tenant = new URL(app.ENTRA_AUTHORITY!).pathname.split("/")[1];
    expect(emulatorSource).toContain(tenant);
  });

  it("shares the emulator's CA with the app through a declared volume, read-only", () => {
    expect(Object.keys(compose.volumes ?? {})).toContain("emulator-certs");
    expect(compose.services.emulator?.volumes).toContain("emulator-certs:/certs");
    expect(compose.services.app?.volumes).toContain("emulator-certs:/certs:ro");
    expect(compose.services.app?.environment?.NODE_EXTRA_CA_CERTS).toBe("/certs/ca.pem");
    expect(stageEnv(stages.find((s) => s.name === "emulator")!).EMULATOR_CERT_DIR).toBe("/certs");
  });

  it("waits for a healthy emulator, which has a HEALTHCHECK", () => {
    expect(compose.services.app?.depends_on).toEqual({
      emulator: { condition: "service_healthy" },
    });
    const emulator = stages.find((s) => s.name === "emulator")!;
    expect(emulator.instructions.some((i) => i.keyword === "HEALTHCHECK")).toBe(true);
  });

  it("passes only settings the programs read", () => {
    for (const name of ["app", "app-entra"]) {
      for (const key of Object.keys(compose.services[name]!.environment ?? {})) {
        if (key === "NODE_EXTRA_CA_CERTS") continue;
        expect(bffSource, `${name}: ${key}`).toContain(`"${key}"`);
      }
    }
    for (const key of Object.keys(compose.services.emulator!.environment ?? {})) {
      expect(emulatorSource, `emulator: ${key}`).toContain(key);
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
    const gated = composeText.slice(composeText.indexOf("  app-entra:"));
    const gatedService = gated.slice(0, gated.indexOf("\nvolumes:"));
    expect(gatedService).not.toMatch(/\$\{[A-Z0-9_]+:\?/);
  });

  it("reads .env only optionally, so a fresh clone can start", () => {
    for (const service of Object.values(compose.services)) {
      for (const entry of service.env_file ?? []) {
        expect(entry).toEqual({ path: ".env", required: false });
      }
    }
  });
});
