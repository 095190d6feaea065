// The Tasks API against tokens the Entra emulator issues (the real code flow), and tokens
// forged from them: what the BFF will really send, and what an attacker could.
import { randomBytes } from "node:crypto";
import type { Task, TaskList } from "@entra-bff/contract";
import {
  createEmulator,
  type Emulator,
  fabrikamTenant,
  tasksApiRegistration,
} from "@entra-bff/entra-emulator";
import { decodeJwt, decodeProtectedHeader, type JWTPayload, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tokensFor } from "../helpers/emulator-tokens.ts";
import {
  json,
  startTasksApi,
  type TestClock,
  type TestTasksApi,
  testClock,
} from "../helpers/tasks-api.ts";
import { useTempDirs } from "../helpers/temp-dir.ts";
import { createTestKey, hmacToken, unsignedToken } from "../helpers/test-authority.ts";

const adele = "AdeleV@contoso.example";
const alex = "AlexW@contoso.example";
const lee = "LeeG@fabrikam.example";
const contoso = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
const fabrikam = fabrikamTenant.tenantId;
const otherApiId = "00000000-0000-0000-0000-0000000a11ce";

const temp = useTempDirs();
let emulator: Emulator;
let api: TestTasksApi;
const tokens = new Map<string, string>();

/** One code flow per user and scope set for the whole file (each costs a sign-in). */
async function token(user: string, options: { scopes?: string[]; tenant?: string } = {}) {
  const key = JSON.stringify([user, options]);
  if (!tokens.has(key)) tokens.set(key, (await tokensFor(emulator, user, options)).accessToken);
  return tokens.get(key)!;
}

beforeAll(async () => {
  const tasksApi = tasksApiRegistration();
  emulator = await createEmulator({
    tenants: [{ ...fabrikamTenant, usersCanConsent: true }],
    apis: [
      // A narrower scope beside Tasks.ReadWrite: a token for this API without the scope we need.
      { ...tasksApi, exposedScopes: [...tasksApi.exposedScopes!, { value: "Tasks.Read" }] },
      // Another team's API exposing a scope of the same name: its tokens are not ours.
      { ...tasksApiRegistration(otherApiId), displayName: "Another API (dev-only)" },
    ],
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  api = await startTasksApi({ authority: emulator.authority, dataDir: await temp.dir() });
});
afterEach(async () => {
  await api.close();
});

function expectRefused(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  reason: RegExp,
) {
  expect(response.statusCode).toBe(401);
  expect(json(response as never)).toEqual({
    code: "invalid_token",
    message: expect.stringMatching(reason),
  });
  expect(response.headers["www-authenticate"]).toMatch(
    /^Bearer realm="[^"]+", error="invalid_token", error_description="/,
  );
}

/** The payload of a genuine token, to forge variants of it. */
async function genuineClaims(): Promise<JWTPayload> {
  return decodeJwt(await token(adele));
}

describe("tokens from the emulator", () => {
  it("accepts the BFF's access token for the Tasks API (v2.0, aud = the API, scp Tasks.ReadWrite)", async () => {
    const accessToken = await token(adele);
    expect(decodeJwt(accessToken)).toMatchObject({
      ver: "2.0",
      scp: "Tasks.ReadWrite",
      tid: contoso,
    });
    const created = await api.request(accessToken, {
      method: "POST",
      url: "/tasks",
      body: { title: "from Entra" },
    });
    expect(created.statusCode).toBe(201);
    expect(json<TaskList>(await api.request(accessToken, { url: "/tasks" })).tasks).toEqual([
      json<Task>(created),
    ]);
  });

  it("refuses a Microsoft Graph token (v1.0, aud Graph)", async () => {
    const graph = await token(alex, { scopes: ["User.Read"] });
    expect(decodeJwt(graph)).toMatchObject({
      ver: "1.0",
      aud: "00000003-0000-0000-c000-000000000000",
    });
    // Like Entra's, a Graph token's signature covers a hashed header nonce: it fails there first.
    expectRefused(
      await api.request(graph, { url: "/tasks" }),
      /only v2\.0 access tokens|signature is invalid/,
    );
  });

  it("refuses the BFF's ID token", async () => {
    const { idToken } = await tokensFor(emulator, alex);
    expectRefused(await api.request(idToken, { url: "/tasks" }), /`aud`/);
  });

  it("refuses a token for another API, even with a scope of the same name", async () => {
    const other = await token(alex, { scopes: [`api://${otherApiId}/Tasks.ReadWrite`] });
    expect(decodeJwt(other)).toMatchObject({ aud: otherApiId, scp: "Tasks.ReadWrite" });
    expectRefused(await api.request(other, { url: "/tasks" }), /`aud`/);
  });

  it("refuses an expired token", async () => {
    const accessToken = await token(adele);
    const { exp } = decodeJwt(accessToken);
    api.clock.now = (exp! + 61) * 1000;
    expectRefused(await api.request(accessToken, { url: "/tasks" }), /expired/);
  });

  it("answers 403 insufficient_scope for a token of this API without Tasks.ReadWrite", async () => {
    // Entra's tokens carry every consented scope of the API: forget Alex's Tasks.ReadWrite.
    emulator.consents.revoke(alex);
    const readOnly = await token(alex, {
      scopes: ["api://00000000-0000-0000-0000-00000007a5c5/Tasks.Read"],
    });
    expect(decodeJwt(readOnly)).toMatchObject({
      aud: "00000000-0000-0000-0000-00000007a5c5",
      scp: "Tasks.Read",
    });
    const response = await api.request(readOnly, {
      method: "POST",
      url: "/tasks",
      body: { title: "x" },
    });
    expect(response.statusCode).toBe(403);
    expect(json(response)).toMatchObject({ code: "insufficient_scope" });
    expect(response.headers["www-authenticate"]).toMatch(
      /error="insufficient_scope", .*scope="Tasks.ReadWrite"$/,
    );
  });

  it("refuses alg none and HS256 forgeries of a genuine token's claims", async () => {
    const claims = await genuineClaims();
    expectRefused(
      await api.request(unsignedToken(claims), { url: "/tasks" }),
      /not signed with RS256/,
    );
    const { kid } = decodeProtectedHeader(await token(adele));
    expectRefused(
      await api.request(await hmacToken(claims, randomBytes(32), kid), { url: "/tasks" }),
      /not signed with RS256/,
    );
  });

  it("refuses a genuine token's claims signed by a foreign key under the emulator's kid", async () => {
    const { kid } = decodeProtectedHeader(await token(adele));
    const foreign = await createTestKey(kid!);
    const forged = await new SignJWT(await genuineClaims())
      .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: kid! })
      .sign(foreign.privateKey);
    expectRefused(await api.request(forged, { url: "/tasks" }), /signature is invalid/);
  });

  it("refuses a tampered payload (the oid changed to another user's)", async () => {
    const [header, payload, signature] = (await token(adele)).split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    claims.oid = decodeJwt(await token(alex)).oid;
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    expectRefused(await api.request(tampered, { url: "/tasks" }), /signature is invalid/);
  });
});

describe("another tenant", () => {
  it("a single-tenant API refuses a token from another tenant of the same authority", async () => {
    const foreign = await token(lee, { tenant: "organizations" });
    expect(decodeJwt(foreign)).toMatchObject({ tid: fabrikam, ver: "2.0" });
    expectRefused(await api.request(foreign, { url: "/tasks" }), /`iss`/);
  });

  describe("multi-tenant (organizations)", () => {
    let multi: TestTasksApi;
    afterEach(async () => {
      await multi.close();
    });

    it("refuses a tenant not in ALLOWED_TENANTS and accepts one in it", async () => {
      multi = await startTasksApi({
        authority: `${emulator.url}/organizations`,
        dataDir: await temp.dir(),
        env: { ALLOWED_TENANTS: contoso },
      });
      const response = await multi.request(await token(lee, { tenant: "organizations" }), {
        url: "/tasks",
      });
      expectRefused(response, /tenant bbbbcccc-1111-dddd-2222-eeee3333ffff is not allowed/);
      expect((await multi.request(await token(adele), { url: "/tasks" })).statusCode).toBe(200);
    });

    it("keeps each tenant's tasks apart, and the admin summary to the caller's tenant", async () => {
      multi = await startTasksApi({
        authority: `${emulator.url}/organizations`,
        dataDir: await temp.dir(),
        env: { ALLOWED_TENANTS: `${contoso},${fabrikam}` },
      });
      const leeToken = await token(lee, { tenant: "organizations" });
      const created = await multi.request(leeToken, {
        method: "POST",
        url: "/tasks",
        body: { title: "Fabrikam's" },
      });
      expect(created.statusCode).toBe(201);
      const adeleToken = await token(adele);
      expect(json<TaskList>(await multi.request(adeleToken, { url: "/tasks" })).tasks).toEqual([]);
      expect(
        (await multi.request(adeleToken, { url: `/tasks/${json<Task>(created).id}` })).statusCode,
      ).toBe(404);
      // Adele holds Tasks.Admin in Contoso: she sees Contoso's counts, not Fabrikam's task.
      const summary = await multi.request(adeleToken, { url: "/admin/summary" });
      expect(json(summary)).toEqual({ tenantId: contoso, users: 0, tasks: 0, done: 0 });
    });
  });
});

describe("users and data", () => {
  it("user A cannot read, change or delete user B's task by id", async () => {
    const adeleToken = await token(adele);
    const alexToken = await token(alex);
    const task = json<Task>(
      await api.request(adeleToken, { method: "POST", url: "/tasks", body: { title: "Adele's" } }),
    );
    expect(json<TaskList>(await api.request(alexToken, { url: "/tasks" })).tasks).toEqual([]);
    for (const attempt of [
      { url: `/tasks/${task.id}` },
      {
        method: "PATCH" as const,
        url: `/tasks/${task.id}`,
        headers: { "if-match": task.etag },
        body: { title: "Alex was here" },
      },
      { method: "DELETE" as const, url: `/tasks/${task.id}`, headers: { "if-match": task.etag } },
    ]) {
      const response = await api.request(alexToken, attempt);
      expect(response.statusCode).toBe(404);
      expect(json(response)).toMatchObject({ code: "not_found" });
    }
    expect(json<Task>(await api.request(adeleToken, { url: `/tasks/${task.id}` }))).toEqual(task);
  });

  it("keeps the data across a restart of the API on the same data folder", async () => {
    const dataDir = await temp.dir();
    const clock: TestClock = testClock();
    const accessToken = await token(adele);
    const first = await startTasksApi({ authority: emulator.authority, dataDir, clock });
    let created: Task;
    try {
      const response = await first.request(accessToken, {
        method: "POST",
        url: "/tasks",
        body: { title: "durable" },
      });
      const patched = await first.request(accessToken, {
        method: "PATCH",
        url: `/tasks/${json<Task>(response).id}`,
        headers: { "if-match": json<Task>(response).etag },
        body: { done: true },
      });
      created = json<Task>(patched);
    } finally {
      await first.close();
    }
    const second = await startTasksApi({ authority: emulator.authority, dataDir, clock });
    try {
      expect(json<TaskList>(await second.request(accessToken, { url: "/tasks" })).tasks).toEqual([
        created,
      ]);
      // The version survives too: the old ETag is still stale after the restart.
      const stale = await second.request(accessToken, {
        method: "DELETE",
        url: `/tasks/${created.id}`,
        headers: { "if-match": '"1"' },
      });
      expect(stale.statusCode).toBe(412);
    } finally {
      await second.close();
    }
  });

  it("concurrent PATCHes over real connections with the same If-Match: exactly one 412", async () => {
    const accessToken = await token(adele);
    const address = await api.app.listen({ port: 0, host: "127.0.0.1" });
    const created = await fetch(`${address}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "two tabs" }),
    });
    const task = (await created.json()) as Task;
    const edit = (title: string) =>
      fetch(`${address}/tasks/${task.id}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${accessToken}`,
          "content-type": "application/json",
          "if-match": task.etag,
        },
        body: JSON.stringify({ title }),
      });
    const results = await Promise.all([edit("tab 1"), edit("tab 2")]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const loser = results.find((r) => r.status === 412)!;
    expect(await loser.json()).toMatchObject({ code: "precondition_failed" });
  });

  it("GET /admin/summary: 200 for Adele (Tasks.Admin in her token), 403 forbidden for Alex", async () => {
    const adeleToken = await token(adele);
    expect(decodeJwt(adeleToken).roles).toEqual(["Tasks.Admin"]);
    await api.request(await token(alex), {
      method: "POST",
      url: "/tasks",
      body: { title: "Alex's" },
    });
    const summary = await api.request(adeleToken, { url: "/admin/summary" });
    expect(summary.statusCode).toBe(200);
    expect(json(summary)).toEqual({ tenantId: contoso, users: 1, tasks: 1, done: 0 });
    const refused = await api.request(await token(alex), { url: "/admin/summary" });
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ code: "forbidden" });
  });
});
