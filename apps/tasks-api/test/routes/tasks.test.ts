// The task routes over inject(): CRUD, If-Match/ETag, per-user isolation and input checks.
import type { Task, TaskList } from "@entra-bff/contract";
import type { JWTPayload } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { devClientId } from "../../src/config.ts";
import { json, startTasksApi, type TestTasksApi } from "../helpers/tasks-api.ts";
import { useTempDirs } from "../helpers/temp-dir.ts";
import { startTestAuthority, type TestAuthority } from "../helpers/test-authority.ts";

const tenant = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
const users = {
  adele: "00000000-0000-0000-66f3-3332eca7ea81",
  alex: "00000000-0000-0000-a3f9-6e4f0d0c7f12",
};
const temp = useTempDirs();

let issuer: TestAuthority;
let api: TestTasksApi;
beforeAll(async () => {
  issuer = await startTestAuthority(tenant);
});
afterAll(async () => {
  await issuer.close();
});
beforeEach(async () => {
  api = await startTasksApi({ authority: issuer.authority, dataDir: await temp.dir() });
});
afterEach(async () => {
  await api.close();
});

function tokenFor(oid: string, extra: JWTPayload = {}): Promise<string> {
  const iat = Math.floor(api.clock.now / 1000);
  return issuer.sign({
    aud: devClientId,
    iss: issuer.issuerFor(tenant),
    iat,
    nbf: iat,
    exp: iat + 3600,
    oid,
    scp: "Tasks.ReadWrite",
    tid: tenant,
    ver: "2.0",
    ...extra,
  });
}

async function create(token: string, title: string): Promise<Task> {
  const response = await api.request(token, { method: "POST", url: "/tasks", body: { title } });
  expect(response.statusCode).toBe(201);
  return json<Task>(response);
}

describe("tasks CRUD", () => {
  it("creates a task: 201, Location, a strong ETag from its version, the title trimmed", async () => {
    const token = await tokenFor(users.adele);
    const response = await api.request(token, {
      method: "POST",
      url: "/tasks",
      body: { title: "  Buy milk  " },
    });
    expect(response.statusCode).toBe(201);
    const task = json<Task>(response);
    expect(task).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: "Buy milk",
      done: false,
      createdAt: new Date(api.clock.now).toISOString(),
      updatedAt: new Date(api.clock.now).toISOString(),
      version: 1,
      etag: '"1"',
    });
    expect(response.headers.location).toBe(`/tasks/${task.id}`);
    expect(response.headers.etag).toBe('"1"');
    expect(response.headers["cache-control"]).toBe("no-store");

    const list = await api.request(token, { url: "/tasks" });
    expect(json<TaskList>(list)).toEqual({ tasks: [task] });
    const one = await api.request(token, { url: `/tasks/${task.id}` });
    expect(json<Task>(one)).toEqual(task);
    expect(one.headers.etag).toBe('"1"');
  });

  it("answers 304 to a GET with a matching If-None-Match", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "cached");
    const response = await api.request(token, {
      url: `/tasks/${task.id}`,
      headers: { "if-none-match": task.etag },
    });
    expect(response.statusCode).toBe(304);
    expect(response.body).toBe("");
  });

  it("changes a task with the current If-Match, returning the new version and ETag", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "draft");
    api.clock.advance(5_000);
    const response = await api.request(token, {
      method: "PATCH",
      url: `/tasks/${task.id}`,
      headers: { "if-match": task.etag },
      body: { title: " final ", done: true },
    });
    expect(response.statusCode).toBe(200);
    expect(json<Task>(response)).toEqual({
      ...task,
      title: "final",
      done: true,
      version: 2,
      etag: '"2"',
      updatedAt: new Date(api.clock.now).toISOString(),
    });
    expect(response.headers.etag).toBe('"2"');
  });

  it("accepts application/merge-patch+json for PATCH", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "t");
    const response = await api.request(token, {
      method: "PATCH",
      url: `/tasks/${task.id}`,
      headers: { "if-match": task.etag, "content-type": "application/merge-patch+json" },
      body: { done: true },
    });
    expect(response.statusCode).toBe(200);
    expect(json<Task>(response).done).toBe(true);
  });

  it("deletes a task with If-Match: 204, then 404", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "gone soon");
    const response = await api.request(token, {
      method: "DELETE",
      url: `/tasks/${task.id}`,
      headers: { "if-match": task.etag },
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe("");
    const again = await api.request(token, {
      method: "DELETE",
      url: `/tasks/${task.id}`,
      headers: { "if-match": task.etag },
    });
    expect(again.statusCode).toBe(404);
    expect(json(again)).toEqual({ code: "not_found", message: `No task ${task.id}.` });
    expect(json<TaskList>(await api.request(token, { url: "/tasks" })).tasks).toEqual([]);
  });
});

describe("If-Match", () => {
  it("428 precondition_required without If-Match, and nothing changes", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "keep");
    for (const method of ["PATCH", "DELETE"] as const) {
      const response = await api.request(token, {
        method,
        url: `/tasks/${task.id}`,
        ...(method === "PATCH" ? { body: { title: "lost" } } : {}),
      });
      expect(response.statusCode).toBe(428);
      expect(json(response)).toMatchObject({
        code: "precondition_required",
        message: expect.stringMatching(/If-Match/),
      });
    }
    expect(json<Task>(await api.request(token, { url: `/tasks/${task.id}` }))).toEqual(task);
  });

  it("412 precondition_failed for a stale ETag: the second tab does not overwrite the first", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "shared");
    const tab1 = await api.request(token, {
      method: "PATCH",
      url: `/tasks/${task.id}`,
      headers: { "if-match": task.etag },
      body: { title: "from tab 1" },
    });
    expect(tab1.statusCode).toBe(200);
    const tab2 = await api.request(token, {
      method: "PATCH",
      url: `/tasks/${task.id}`,
      headers: { "if-match": task.etag },
      body: { title: "from tab 2" },
    });
    expect(tab2.statusCode).toBe(412);
    expect(json(tab2)).toEqual({
      code: "precondition_failed",
      message: expect.stringMatching(/changed elsewhere.*current etag is "2"/),
    });
    const deleteStale = await api.request(token, {
      method: "DELETE",
      url: `/tasks/${task.id}`,
      headers: { "if-match": task.etag },
    });
    expect(deleteStale.statusCode).toBe(412);
    expect(json<Task>(await api.request(token, { url: `/tasks/${task.id}` })).title).toBe(
      "from tab 1",
    );
  });

  it("concurrent PATCHes with the same If-Match: exactly one succeeds, the others get 412", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "race");
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.request(token, {
          method: "PATCH",
          url: `/tasks/${task.id}`,
          headers: { "if-match": task.etag },
          body: { title: `writer ${i}` },
        }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
    const winner = json<Task>(responses.find((r) => r.statusCode === 200)!);
    expect(json<Task>(await api.request(token, { url: `/tasks/${task.id}` }))).toMatchObject({
      title: winner.title,
      version: 2,
    });
  });

  it("treats weak tags as no match, accepts * and lists, and refuses malformed values", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "t");
    const patch = (ifMatch: string) =>
      api.request(token, {
        method: "PATCH",
        url: `/tasks/${task.id}`,
        headers: { "if-match": ifMatch },
        body: { done: true },
      });
    expect((await patch('W/"1"')).statusCode).toBe(412);
    expect((await patch('"7", "1"')).statusCode).toBe(200);
    expect((await patch("*")).statusCode).toBe(200);
    const malformed = await patch("1");
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed)).toMatchObject({
      code: "bad_request",
      message: expect.stringMatching(/If-Match must be/),
    });
  });
});

describe("one user never sees or changes another's tasks", () => {
  it("user B gets 404 for user A's task id on read, change and delete; A's task is unchanged", async () => {
    const adele = await tokenFor(users.adele);
    const alex = await tokenFor(users.alex);
    const task = await create(adele, "Adele's secret");

    expect(json<TaskList>(await api.request(alex, { url: "/tasks" })).tasks).toEqual([]);
    const attempts = [
      await api.request(alex, { url: `/tasks/${task.id}` }),
      await api.request(alex, {
        method: "PATCH",
        url: `/tasks/${task.id}`,
        headers: { "if-match": task.etag },
        body: { title: "pwned" },
      }),
      await api.request(alex, {
        method: "PATCH",
        url: `/tasks/${task.id}`,
        headers: { "if-match": "*" },
        body: { done: true },
      }),
      await api.request(alex, {
        method: "DELETE",
        url: `/tasks/${task.id}`,
        headers: { "if-match": task.etag },
      }),
    ];
    for (const response of attempts) {
      expect(response.statusCode).toBe(404);
      expect(json(response)).toEqual({ code: "not_found", message: `No task ${task.id}.` });
    }
    // Same answer as for an id that never existed: nothing tells B the task exists.
    const never = await api.request(alex, { url: "/tasks/00000000-0000-4000-8000-000000000000" });
    expect(json(never).message).toBe("No task 00000000-0000-4000-8000-000000000000.");

    expect(json<Task>(await api.request(adele, { url: `/tasks/${task.id}` }))).toEqual(task);
  });

  it("keys tasks by tenant + oid: the same oid in another tenant is another user", async () => {
    const multiIssuer = await startTestAuthority("organizations");
    const otherTenant = "12345678-1234-1234-1234-123456789abc";
    const multi = await startTasksApi({
      authority: multiIssuer.authority,
      dataDir: await temp.dir(),
      env: { ALLOWED_TENANTS: `${tenant},${otherTenant}` },
    });
    try {
      const tokenIn = (t: string) => {
        const iat = Math.floor(multi.clock.now / 1000);
        return multiIssuer.sign({
          aud: devClientId,
          iss: multiIssuer.issuerFor(t),
          iat,
          nbf: iat,
          exp: iat + 3600,
          oid: users.adele,
          scp: "Tasks.ReadWrite",
          tid: t,
          ver: "2.0",
        });
      };
      const home = await tokenIn(tenant);
      const created = await multi.request(home, {
        method: "POST",
        url: "/tasks",
        body: { title: "home" },
      });
      expect(created.statusCode).toBe(201);
      const elsewhere = await tokenIn(otherTenant);
      expect(json<TaskList>(await multi.request(elsewhere, { url: "/tasks" })).tasks).toEqual([]);
      const id = json<Task>(created).id;
      expect((await multi.request(elsewhere, { url: `/tasks/${id}` })).statusCode).toBe(404);
    } finally {
      await multi.close();
      await multiIssuer.close();
    }
  });
});

describe("input validation", () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ["an empty title", { title: "" }, /body\/title must NOT have fewer than 1 characters/],
    ["a title of spaces", { title: "   " }, /body\/title must be 1 to 200 characters/],
    [
      "a 201-character title",
      { title: "x".repeat(201) },
      /body\/title must NOT have more than 200 characters/,
    ],
    ["a control character", { title: "a\u0000b" }, /body\/title must be .*no control characters/],
    ["a newline", { title: "line\nbreak" }, /body\/title must be/],
    ["a number for the title", { title: 42 }, /body\/title must be string/],
    ["no title", {}, /body\/title is required/],
    [
      "an unknown property",
      { title: "ok", owner: "someone-else" },
      /body must not have the property "owner"/,
    ],
    ["a string for done", { title: "ok", done: "true" }, /body\/done must be boolean/],
    ["an array body", [{ title: "x" }], /body must be object/],
  ];
  for (const [what, body, message] of bad) {
    it(`POST refuses ${what} with 400 naming the field`, async () => {
      const token = await tokenFor(users.adele);
      const response = await api.request(token, { method: "POST", url: "/tasks", body });
      expect(response.statusCode).toBe(400);
      expect(json(response)).toEqual({
        code: "bad_request",
        message: expect.stringMatching(message),
      });
      expect(json<TaskList>(await api.request(token, { url: "/tasks" })).tasks).toEqual([]);
    });
  }

  it("accepts a 200-character title, counting characters rather than bytes", async () => {
    const token = await tokenFor(users.adele);
    const title = "é".repeat(100) + "😀".repeat(100);
    const task = await create(token, title);
    expect(task.title).toBe(title);
  });

  it("PATCH refuses an empty body, unknown fields and bad values", async () => {
    const token = await tokenFor(users.adele);
    const task = await create(token, "t");
    for (const [body, message] of [
      [{}, /body must contain at least one of: title, done/],
      [{ version: 9 }, /body must not have the property "version"/],
      [{ done: null }, /body\/done must be boolean/],
      [{ title: " " }, /body\/title must be/],
    ] as const) {
      const response = await api.request(token, {
        method: "PATCH",
        url: `/tasks/${task.id}`,
        headers: { "if-match": task.etag },
        body,
      });
      expect(response.statusCode).toBe(400);
      expect(json(response).message).toMatch(message);
    }
    expect(json<Task>(await api.request(token, { url: `/tasks/${task.id}` }))).toEqual(task);
  });

  it("refuses a malformed id with 400", async () => {
    const token = await tokenFor(users.adele);
    for (const id of [
      "42",
      "not-a-uuid",
      "00000000-0000-4000-8000-00000000000G",
      "00000000-0000-4000-8000-000000000000x",
    ]) {
      const response = await api.request(token, { url: `/tasks/${id}` });
      expect(response.statusCode).toBe(400);
      expect(json(response)).toEqual({
        code: "bad_request",
        message: "params/id must be lowercase UUID",
      });
    }
  });

  it("refuses bodies that are not JSON, malformed JSON, and oversized bodies", async () => {
    const token = await tokenFor(users.adele);
    const textPlain = await api.request(token, {
      method: "POST",
      url: "/tasks",
      headers: { "content-type": "text/plain" },
      body: "title",
    });
    expect(textPlain.statusCode).toBe(415);
    expect(json(textPlain)).toMatchObject({ code: "bad_request" });
    const malformed = await api.request(token, {
      method: "POST",
      url: "/tasks",
      body: '{"title":',
    });
    expect(malformed.statusCode).toBe(400);
    const poisoned = await api.request(token, {
      method: "POST",
      url: "/tasks",
      body: '{"title":"x","__proto__":{"admin":true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    const huge = await api.request(token, {
      method: "POST",
      url: "/tasks",
      body: { title: "x".repeat(10_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(json(huge)).toMatchObject({ code: "payload_too_large" });
  });

  it("checks the token before reading the body", async () => {
    const response = await api.request(undefined, {
      method: "POST",
      url: "/tasks",
      body: '{"title":',
    });
    expect(response.statusCode).toBe(401);
  });

  it("answers JSON 404 for unknown routes", async () => {
    const response = await api.request(await tokenFor(users.adele), {
      method: "PUT",
      url: "/tasks",
    });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ code: "not_found", message: "No route PUT /tasks." });
  });
});

describe("limits", () => {
  it("refuses a task beyond the per-user limit with 409 task_limit_reached", async () => {
    const token = await tokenFor(users.adele);
    // Fill up through the store (1000 HTTP round trips would only slow the test down).
    const { TaskStore } = await import("../../src/store/task-store.ts");
    const { openDatabase } = await import("../../src/store/database.ts");
    const db = openDatabase(api.config.dataDir);
    const store = new TaskStore(db, { maxPerUser: 1000 });
    for (let i = 0; i < 1000; i++)
      store.create({ tenantId: tenant, oid: users.adele }, { title: `t${i}`, done: false }, i);
    db.close();
    const response = await api.request(token, {
      method: "POST",
      url: "/tasks",
      body: { title: "one more" },
    });
    expect(response.statusCode).toBe(409);
    expect(json(response)).toMatchObject({
      code: "task_limit_reached",
      message: expect.stringMatching(/1000 tasks/),
    });
    expect(json<TaskList>(await api.request(token, { url: "/tasks" })).tasks).toHaveLength(1000);
  });
});

describe("GET /admin/summary", () => {
  it("needs the Tasks.Admin app role: 403 forbidden without it", async () => {
    const response = await api.request(await tokenFor(users.alex), { url: "/admin/summary" });
    expect(response.statusCode).toBe(403);
    expect(json(response)).toEqual({
      code: "forbidden",
      message: expect.stringMatching(/app role `Tasks.Admin`/),
    });
    const otherRole = await api.request(await tokenFor(users.alex, { roles: ["Tasks.Reader"] }), {
      url: "/admin/summary",
    });
    expect(otherRole.statusCode).toBe(403);
  });

  it("counts the caller's tenant with the role", async () => {
    const adele = await tokenFor(users.adele, { roles: ["Tasks.Admin"] });
    const alex = await tokenFor(users.alex);
    const first = await create(adele, "a");
    await create(adele, "b");
    await create(alex, "c");
    await api.request(adele, {
      method: "PATCH",
      url: `/tasks/${first.id}`,
      headers: { "if-match": first.etag },
      body: { done: true },
    });
    const response = await api.request(adele, { url: "/admin/summary" });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ tenantId: tenant, users: 2, tasks: 3, done: 1 });
  });
});
