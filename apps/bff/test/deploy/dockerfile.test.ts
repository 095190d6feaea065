import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  parseDockerfile,
  readRepoFile,
  repoFileExists,
  stageCmd,
  stageEnv,
  stageImage,
  workspacePackages,
} from "./repo-files.ts";

// The Dockerfile cannot be built here (no Docker engine), so it is made right by construction
// and these checks keep it so; the production-layout test runs its build script and the
// images' start commands for real.

const dockerfile = readRepoFile("Dockerfile");
const stages = parseDockerfile(dockerfile);
const stage = (name: string) => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const runtimeStages = ["emulator", "tasks-api", "app"];
const dockerignore = readRepoFile(".dockerignore")
  .split("\n")
  .map((l) => l.trim());

/** End of life of each Node LTS line (nodejs.org's release schedule). */
const nodeEndOfLife: Record<number, string> = {
  20: "2026-04-30",
  22: "2027-04-30",
  24: "2028-04-30",
};

describe("Dockerfile", () => {
  it("ends with the app stage, so a plain `docker build` produces the deployable image", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", ...runtimeStages]);
  });

  it("builds and runs every image on one Node LTS line that is still supported", () => {
    const images = new Set(stages.map((s) => stageImage(s, dockerfile)));
    // One Node for all: the native addon built in "build" must match the Node that loads it.
    expect(images.size).toBe(1);
    const [image = ""] = images;
    const major = Number(/^node:(\d+)/.exec(image)?.[1]);
    expect(nodeEndOfLife[major], `${image} is not an LTS line`).toBeDefined();
    expect(new Date(nodeEndOfLife[major]!).getTime()).toBeGreaterThan(Date.now());
    // The engines range the code keeps (and CI tests, on Node 20) includes it.
    const engines = JSON.parse(readRepoFile("package.json")).engines.node as string;
    expect(engines).toBe(">=20.19");
    expect(major).toBeGreaterThanOrEqual(20);
    // The README says what the image ships.
    expect(readRepoFile("README.md")).toContain(`Node ${major}`);
  });

  it("installs the pnpm version package.json pins, with the frozen lockfile", () => {
    const build = stage("build").instructions.map((i) => `${i.keyword} ${i.args}`);
    expect(build.join("\n")).toContain("packageManager");
    expect(build).toContain("RUN pnpm install --frozen-lockfile");
    expect(build).toContain("RUN sh scripts/prod-layout.sh /out");
  });

  it("can compile better-sqlite3 for its Node when no prebuilt binary matches", () => {
    const run = stage("build")
      .instructions.filter((i) => i.keyword === "RUN")
      .map((i) => i.args)
      .join("\n");
    for (const tool of ["python3", "make", "g++"]) expect(run).toContain(tool);
    // Installed before the dependencies, whose install step builds the addon.
    const keywords = stage("build").instructions.map((i) => `${i.keyword} ${i.args}`);
    const toolchain = keywords.findIndex((line) => line.includes("g++"));
    expect(toolchain).toBeLessThan(keywords.indexOf("RUN pnpm install --frozen-lockfile"));
  });

  it("copies every workspace manifest before installing, and every COPY source exists", () => {
    const workspace = parse(readRepoFile("pnpm-workspace.yaml")) as { packages: string[] };
    expect(workspace.packages).toEqual(["apps/*", "packages/*"]);
    const copies = stage("build")
      .instructions.filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const packages = workspacePackages();
    expect(packages).toContain("apps/tasks-api");
    for (const pkg of packages) expect(copies).toContain(`${pkg}/package.json`);
    for (const source of copies) {
      if (source === ".") continue;
      expect(repoFileExists(source), source).toBe(true);
      expect(dockerignore, source).not.toContain(source);
    }
  });

  it("runs every image as production, as a non-root user, with a HEALTHCHECK and no TypeScript", () => {
    for (const name of runtimeStages) {
      const runtime = stage(name);
      expect(stageEnv(runtime).NODE_ENV, name).toBe("production");
      const users = runtime.instructions.filter((i) => i.keyword === "USER").map((i) => i.args);
      expect(users.at(-1), name).toBe("node");
      expect(runtime.instructions.some((i) => i.keyword === "HEALTHCHECK")).toBe(true);
      const cmd = stageCmd(runtime);
      expect(cmd[0], name).toBe("node");
      // A bundle: no tsx loader, no .ts entry point at run time.
      expect(cmd.join(" "), name).not.toMatch(/tsx|\.ts\b/);
    }
  });

  it("app: the bundle serving the SPA, with the declared APIs", () => {
    const app = stage("app");
    const health = app.instructions.find((i) => i.keyword === "HEALTHCHECK");
    expect(health?.args).toContain("/healthz");
    expect(stageCmd(app)).toEqual(["node", "dist/server.js"]);
    expect(stageEnv(app)).toMatchObject({
      HOST: "0.0.0.0",
      PORT: "3000",
      STATIC_DIR: "/app/public",
      DOWNSTREAM_APIS_FILE: "/app/config/downstream-apis.json",
    });
    const workdir = app.instructions.find((i) => i.keyword === "WORKDIR");
    expect(workdir?.args).toBe("/app");
  });

  it("tasks-api: the bundle, its database in /data owned by the runtime user", () => {
    const tasks = stage("tasks-api");
    expect(stageCmd(tasks)).toEqual(["node", "dist/server.js"]);
    expect(stageEnv(tasks)).toMatchObject({
      TASKS_API_HOST: "0.0.0.0",
      TASKS_API_PORT: "4000",
      TASKS_DATA_DIR: "/data",
    });
    const runs = tasks.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs).toContain("mkdir -p /data && chown node:node /data");
    expect(tasks.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args).toContain("/healthz");
    expect(tasks.instructions.find((i) => i.keyword === "EXPOSE")?.args).toBe("4000");
  });

  it("emulator: the bundled CLI", () => {
    expect(stageCmd(stage("emulator"))).toEqual(["node", "dist/cli.js"]);
  });

  it("keeps secrets, local state and dependencies out of the build context", () => {
    for (const entry of [
      ".git",
      ".env",
      ".env.*",
      ".dev-certs",
      ".data",
      "**/node_modules",
      "**/dist",
      "*.pem",
    ]) {
      expect(dockerignore).toContain(entry);
    }
  });

  it("has no secret baked into an ENV or ARG", () => {
    expect(dockerfile).not.toMatch(/(SECRET|SESSION_KEYS|PASSWORD)\s*=/);
  });
});
