// The team's own API behind the BFF: the real Tasks API (its own server, real SQLite) called
// through /api/tasks with a token minted for its audience, after incremental consent.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Task, TaskList } from "@entra-bff/contract";
import { createEmulator, type Emulator, signInAs } from "@entra-bff/entra-emulator";
import { buildApp as buildTasksApi, loadConfig as loadTasksConfig } from "@entra-bff/tasks-api";
import type { FastifyInstance } from "fastify";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CookieJar,
  csrf,
  followCallback,
  json,
  signIn,
  startBff,
  type TestBff,
  testClock,
} from "../helpers/bff.ts";

const repo = resolve(fileURLToPath(import.meta.url), "../../../../..");
const tasksScope = "api://00000000-0000-0000-0000-00000007a5c5/Tasks.ReadWrite";

let emulator: Emulator;
let tasksApi: FastifyInstance;
let bff: TestBff;
/** Every request the Tasks API received: its headers. */
const received: Array<Record<string, string | string[] | undefined>> = [];

beforeAll(async () => {
  const clock = testClock();
  emulator = await createEmulator({ port: 0, now: () => clock.now });
  tasksApi = await buildTasksApi(
    loadTasksConfig(
      {
        TASKS_API_AUTHORITY: emulator.authority,
        TASKS_DATA_DIR: mkdtempSync(join(tmpdir(), "entra-bff-tasks-")),
        LOG_LEVEL: "silent",
      },
      { rootDir: repo },
    ),
    { logger: false },
  );
  tasksApi.addHook("onRequest", async (request) => {
    received.push({ ...request.headers });
  });
  await tasksApi.listen({ port: 0, host: "127.0.0.1" });
  await tasksApi.authority.whenLoaded();
  const { port } = tasksApi.server.address() as { port: number };
  // The repository's own declarations, pointed at this API's port.
  bff = await startBff(
    emulator,
    {
      DOWNSTREAM_APIS_FILE: join(repo, "config/downstream-apis.json"),
      TASKS_API_URL: `http://127.0.0.1:${port}`,
    },
    { clock },
  );
}, 30_000);
afterAll(async () => {
  await bff?.close();
  await tasksApi?.close();
  await emulator?.close();
});

/**
 * Signs in; the first Tasks call of a user who has not consented yet meets consent_required,
 * and the user consents through its loginUrl.
 */
async function signedInWithTasks(user: number): Promise<CookieJar> {
  const jar = new CookieJar();
  await signIn(bff, jar, user);
  const first = await bff.request(jar, {
    url: "/api/tasks/tasks",
    headers: { ...csrf, referer: "http://localhost:3000/tasks" },
  });
  const upn = emulator.users[user]!.userPrincipalName;
  const consented = emulator.consents
    .list({ user: upn })
    .some((consent) => consent.scopes.some((scope) => scope.endsWith("/Tasks.ReadWrite")));
  if (consented) {
    expect(first.statusCode).toBe(200);
    return jar;
  }
  expect(first.statusCode).toBe(401);
  const body = json<{ code: string; loginUrl: string }>(first);
  expect(body.code).toBe("consent_required");
  const loginUrl = new URL(body.loginUrl, "http://localhost:3000");
  expect(loginUrl.searchParams.get("scopes")).toBe(tasksScope);
  expect(loginUrl.searchParams.get("returnTo")).toBe("/tasks");
  const login = await bff.request(jar, { url: `${loginUrl.pathname}${loginUrl.search}` });
  const { location, consentPrompt } = await signInAs(String(login.headers.location), user);
  expect(consentPrompt).toEqual(
    expect.arrayContaining([expect.stringContaining("Tasks.ReadWrite")]),
  );
  const callback = await followCallback(bff, jar, location);
  expect(callback.headers.location).toBe("http://localhost:3000/tasks");
  return jar;
}

const tasks = (
  jar: CookieJar,
  options: {
    method?: "GET" | "POST" | "PATCH" | "DELETE";
    path?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
) =>
  bff.request(jar, {
    method: options.method ?? "GET",
    url: `/api/tasks/tasks${options.path ?? ""}`,
    headers: {
      ...csrf,
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
  });

describe("the Tasks API through the BFF", () => {
  it("after consent: create, list, complete, delete, with a token for the API's audience", async () => {
    const jar = await signedInWithTasks(0);
    expect(json<TaskList>(await tasks(jar)).tasks).toEqual([]);

    const created = await tasks(jar, { method: "POST", body: { title: "Buy milk" } });
    expect(created.statusCode).toBe(201);
    const task = json<Task>(created);
    expect(task.title).toBe("Buy milk");
    expect(created.headers.location).toBe(`/api/tasks/tasks/${task.id}`);
    expect(created.headers.etag).toBe(task.etag);

    const token = String(received.at(-1)?.authorization).slice("Bearer ".length);
    const claims = decodeJwt(token);
    expect(claims.aud).toBe("00000000-0000-0000-0000-00000007a5c5");
    expect(claims.scp).toContain("Tasks.ReadWrite");
    expect(claims.azp).toBe(emulator.clients[0]!.clientId);

    const done = await tasks(jar, {
      method: "PATCH",
      path: `/${task.id}`,
      body: { done: true },
      headers: { "if-match": task.etag },
    });
    expect(done.statusCode).toBe(200);
    expect(json<Task>(done).done).toBe(true);
    expect(json<TaskList>(await tasks(jar)).tasks.map((t) => t.done)).toEqual([true]);

    const removed = await tasks(jar, {
      method: "DELETE",
      path: `/${task.id}`,
      headers: { "if-match": json<Task>(done).etag },
    });
    expect(removed.statusCode).toBe(204);
    expect(json<TaskList>(await tasks(jar)).tasks).toEqual([]);
  });

  it("a POST without X-CSRF is refused and the API sees nothing", async () => {
    const jar = await signedInWithTasks(1);
    const before = received.length;
    const refused = await bff.request(jar, {
      method: "POST",
      url: "/api/tasks/tasks",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ title: "forged" }),
    });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).code).toBe("csrf_required");
    expect(received.length).toBe(before);
    expect(json<TaskList>(await tasks(jar)).tasks.map((t) => t.title)).not.toContain("forged");
  });

  it("the API never receives a cookie, an X-CSRF or the browser's authorization", async () => {
    expect(received.length).toBeGreaterThan(0);
    for (const headers of received) {
      expect(headers.cookie).toBeUndefined();
      expect(headers["x-csrf"]).toBeUndefined();
      expect(String(headers.authorization)).toMatch(/^Bearer eyJ/);
    }
  });

  it("two tabs editing the same task concurrently: exactly one 412", async () => {
    const jar = await signedInWithTasks(0);
    const task = json<Task>(await tasks(jar, { method: "POST", body: { title: "Shared" } }));
    const edits = await Promise.all(
      ["Tab one", "Tab two", "Tab three"].map((title) =>
        tasks(jar, {
          method: "PATCH",
          path: `/${task.id}`,
          body: { title },
          headers: { "if-match": task.etag },
        }),
      ),
    );
    expect(edits.map((r) => r.statusCode).sort()).toEqual([200, 412, 412]);
    const stale = edits.find((r) => r.statusCode === 412)!;
    expect(json(stale).code).toBe("precondition_failed");
  });

  it("the admin summary needs the Tasks.Admin app role: the BFF refuses without it, the API never sees the call", async () => {
    const admin = await signedInWithTasks(0);
    const summary = await bff.request(admin, {
      url: "/api/tasks-admin/admin/summary",
      headers: csrf,
    });
    expect(summary.statusCode).toBe(200);
    expect(json(summary)).toMatchObject({ tenantId: emulator.tenantId });

    const member = await signedInWithTasks(1);
    const before = received.length;
    const refused = await bff.request(member, {
      url: "/api/tasks-admin/admin/summary",
      headers: csrf,
    });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).code).toBe("forbidden");
    expect(received.length).toBe(before);
  });
});
