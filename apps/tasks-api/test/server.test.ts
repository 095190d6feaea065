// server.ts as its own process: settings from the environment, restart on the same data
// folder, graceful shutdown, and start-up errors.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Task, TaskList } from "@entra-bff/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClientId } from "../src/config.ts";
import { runServer, startServer } from "./helpers/server-process.ts";
import { useTempDirs } from "./helpers/temp-dir.ts";
import { startTestAuthority, type TestAuthority } from "./helpers/test-authority.ts";

const tenant = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
const temp = useTempDirs();
let issuer: TestAuthority;
beforeAll(async () => {
  issuer = await startTestAuthority(tenant);
});
afterAll(async () => {
  await issuer.close();
});

function token(): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return issuer.sign({
    aud: devClientId,
    iss: issuer.issuerFor(tenant),
    iat,
    nbf: iat,
    exp: iat + 3600,
    oid: "00000000-0000-0000-66f3-3332eca7ea81",
    scp: "Tasks.ReadWrite",
    tid: tenant,
    ver: "2.0",
  });
}

// Each test starts Node with tsx (about a second per start).
describe("server.ts", { timeout: 30_000 }, () => {
  it("keeps tasks across a restart on the same TASKS_DATA_DIR, and exits 0 on SIGTERM", async () => {
    const env = {
      TASKS_API_AUTHORITY: issuer.authority,
      // Named, so that a developer's .env (which server.ts also reads) cannot change them.
      TASKS_API_CLIENT_ID: devClientId,
      TASKS_API_APP_ID_URI: `api://${devClientId}`,
      TASKS_DATA_DIR: await temp.dir(),
      LOG_LEVEL: "info",
    };
    const authorization = `Bearer ${await token()}`;

    const first = await startServer(env);
    const created = await fetch(`${first.url}/tasks`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ title: "survives a restart" }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as Task;
    expect(await first.stop()).toBe(0);
    // JSON log lines, the shutdown among them, and no token anywhere.
    const lines = first
      .output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["tasks API listening", "shutting down"]),
    );
    expect(first.output()).not.toContain(authorization.slice(7));

    const second = await startServer(env);
    try {
      const list = await fetch(`${second.url}/tasks`, { headers: { authorization } });
      expect(((await list.json()) as TaskList).tasks).toEqual([task]);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it("exits 1 naming every bad setting", async () => {
    const run = runServer({
      TASKS_API_AUTHORITY: "http://insecure.example/x",
      TASKS_API_PORT: "-1",
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("TASKS_API_AUTHORITY must be an https URL");
    expect(run.output()).toContain("TASKS_API_PORT must be an integer");
  });

  it("exits 1 naming the file when the database cannot be opened", async () => {
    // A file where the data folder should be.
    const blocker = join(await temp.dir(), "not-a-folder");
    await writeFile(blocker, "");
    const run = runServer({
      TASKS_API_AUTHORITY: issuer.authority,
      TASKS_DATA_DIR: join(blocker, "data"),
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `cannot create ${join(blocker, "data", "tasks.db")} (TASKS_DATA_DIR)`,
    );
  });
});
