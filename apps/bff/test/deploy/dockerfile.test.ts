import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDockerfile, readRepoFile, repoFileExists, stageCmd, stageEnv } from "./repo-files.ts";

// The Dockerfile cannot be built here (no Docker engine), so it is made right by construction
// and these checks keep it so; the production-layout test runs its build script and start
// command for real.

const stages = parseDockerfile(readRepoFile("Dockerfile"));
const stage = (name: string) => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const dockerignore = readRepoFile(".dockerignore")
  .split("\n")
  .map((l) => l.trim());

describe("Dockerfile", () => {
  it("ends with the app stage, so a plain `docker build` produces the deployable image", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "emulator", "app"]);
  });

  it("installs the pnpm version package.json pins, with the frozen lockfile", () => {
    const build = stage("build").instructions.map((i) => `${i.keyword} ${i.args}`);
    expect(build.join("\n")).toContain("packageManager");
    expect(build).toContain("RUN pnpm install --frozen-lockfile");
    expect(build).toContain("RUN sh scripts/prod-layout.sh /out");
  });

  it("copies every workspace manifest before installing, and every COPY source exists", () => {
    const workspace = parse(readRepoFile("pnpm-workspace.yaml")) as { packages: string[] };
    expect(workspace.packages).toEqual(["apps/*", "packages/*"]);
    const copies = stage("build")
      .instructions.filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const manifest of [
      "apps/bff/package.json",
      "apps/web/package.json",
      "packages/contract/package.json",
      "packages/entra-emulator/package.json",
    ]) {
      expect(copies).toContain(manifest);
    }
    for (const source of copies) {
      if (source === ".") continue;
      expect(repoFileExists(source), source).toBe(true);
      expect(dockerignore, source).not.toContain(source);
    }
  });

  it("runs the app as a non-root user with a /healthz HEALTHCHECK and the bundle as CMD", () => {
    const app = stage("app");
    const users = app.instructions.filter((i) => i.keyword === "USER").map((i) => i.args);
    expect(users.at(-1)).toBe("node");
    const health = app.instructions.find((i) => i.keyword === "HEALTHCHECK");
    expect(health?.args).toContain("/healthz");
    expect(stageCmd(app)).toEqual(["node", "dist/server.js"]);
    expect(stageEnv(app)).toMatchObject({
      HOST: "0.0.0.0",
      PORT: "3000",
      STATIC_DIR: "/app/public",
    });
    const workdir = app.instructions.find((i) => i.keyword === "WORKDIR");
    expect(workdir?.args).toBe("/app");
  });

  it("keeps secrets, local state and dependencies out of the build context", () => {
    for (const entry of [
      ".git",
      ".env",
      ".env.*",
      ".dev-certs",
      "**/node_modules",
      "**/dist",
      "*.pem",
    ]) {
      expect(dockerignore).toContain(entry);
    }
  });

  it("has no secret baked into an ENV or ARG", () => {
    const text = readRepoFile("Dockerfile");
    expect(text).not.toMatch(/(SECRET|SESSION_KEYS|PASSWORD)\s*=/);
  });
});
