import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  declaresRoute,
  graphProxyMissing,
  newestFileMs,
  staleBuildNote,
  tasksMissing,
} from "../availability.ts";

const declarations = {
  apis: {
    graph: { allow: ["GET /users", "GET /users/{id}"] },
    tasks: { baseUrl: "http://localhost:4000", allow: ["GET /tasks"] },
  },
};

describe("declaresRoute", () => {
  it("finds an allow entry of the named API only", () => {
    expect(declaresRoute(declarations, "graph", "GET /users/{id}")).toBe(true);
    expect(declaresRoute(declarations, "tasks", "GET /users/{id}")).toBe(false);
    expect(declaresRoute(declarations, "other", "GET /tasks")).toBe(false);
    expect(declaresRoute(null, "graph", "GET /users")).toBe(false);
    expect(declaresRoute({ apis: { graph: { allow: "GET /users" } } }, "graph", "GET /users")).toBe(
      false,
    );
  });
});

describe("the later phases' prerequisites", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bench-availability-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names a missing or broken declarations file", () => {
    const file = join(dir, "downstream-apis.json");
    expect(graphProxyMissing(file)).toBe(`${file} does not exist`);
    writeFileSync(file, "{");
    expect(graphProxyMissing(file)).toMatch(/is not JSON/);
  });

  it("needs GET /users/{id} on graph for the proxied call", () => {
    const file = join(dir, "downstream-apis.json");
    writeFileSync(file, JSON.stringify(declarations));
    expect(graphProxyMissing(file)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ apis: { graph: { allow: ["GET /users"] } } }));
    expect(graphProxyMissing(file)).toBe(
      `${file} does not declare GET /users/{id} for the API "graph"`,
    );
  });

  it("needs the built Tasks API and both of its declared routes", () => {
    const file = join(dir, "downstream-apis.json");
    const bundle = join(dir, "server.js");
    writeFileSync(file, JSON.stringify(declarations));
    expect(tasksMissing(file, bundle)).toMatch(/server\.js is not built/);
    writeFileSync(bundle, "");
    expect(tasksMissing(file, bundle)).toBe(
      `${file} does not declare POST /tasks for the API "tasks"`,
    );
    declarations.apis.tasks.allow.push("POST /tasks");
    writeFileSync(file, JSON.stringify(declarations));
    expect(tasksMissing(file, bundle)).toBeUndefined();
  });

  it("notes a bundle older than its sources", () => {
    const src = join(dir, "src", "routes");
    mkdirSync(src, { recursive: true });
    const bundle = join(dir, "server.js");
    writeFileSync(bundle, "");
    writeFileSync(join(src, "api.ts"), "");
    const past = new Date(Date.now() - 60_000);
    utimesSync(bundle, past, past);
    expect(newestFileMs(join(dir, "src"))).toBeGreaterThan(past.getTime());
    expect(staleBuildNote(bundle, [join(dir, "src")])).toMatch(/is older than .*src/);
    utimesSync(
      join(src, "api.ts"),
      new Date(past.getTime() - 1000),
      new Date(past.getTime() - 1000),
    );
    expect(staleBuildNote(bundle, [join(dir, "src")])).toBeUndefined();
    expect(staleBuildNote(join(dir, "none.js"), [join(dir, "src")])).toBeUndefined();
  });
});
