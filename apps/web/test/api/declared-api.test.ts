import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { csrfHeader, declaredApis } from "@entra-bff/contract";
import { describe, expect, test } from "vitest";
import { ApiRequestError } from "../../src/api/client.ts";
import { api, declaredApiUrl, queryString } from "../../src/api/declared-api.ts";
import { json, stubBff } from "../fixtures/fake-bff.ts";
import { photo } from "../fixtures/fake-graph.ts";

describe("the typed client for declared APIs", () => {
  test("GET with a query: /api/<name><path>, `$` names kept, values encoded, X-CSRF sent", async () => {
    const bff = stubBff({ "GET /api/graph/users": () => json(200, { value: [] }) });

    await api.graph.get("/users", {
      query: { $search: '"displayName:ad"', $select: "id,displayName", $top: 5, $count: true },
      headers: { consistencylevel: "eventual" },
    });

    const [request] = bff.requests;
    const url = new URL(request!.url);
    expect(url.pathname + url.search).toBe(
      "/api/graph/users?$search=%22displayName%3Aad%22&$select=id%2CdisplayName&$top=5&$count=true",
    );
    expect(url.searchParams.get("$search")).toBe('"displayName:ad"');
    expect(request?.headers.get(csrfHeader.name)).toBe(csrfHeader.value);
    expect(request?.headers.get("consistencylevel")).toBe("eventual");
    expect(request?.headers.get("accept")).toBe("application/json");
    expect(request?.credentials).toBe("same-origin");
  });

  test("path parameters are encoded as one segment", async () => {
    const bff = stubBff({ "GET /api/graph/users/{id}": () => json(200, { id: "x" }) });

    await api.graph.get("/users/{id}", { params: { id: "AdeleV@contoso.example" } });
    expect(() => declaredApiUrl("graph", "/users/{id}", { id: "a/../../me" })).not.toThrow();
    expect(declaredApiUrl("graph", "/users/{id}", { id: "a/../../me" })).toBe(
      "/api/graph/users/a%2F..%2F..%2Fme",
    );

    expect(new URL(bff.requests[0]!.url).pathname).toBe(
      "/api/graph/users/AdeleV%40contoso.example",
    );
  });

  test.each([["."], [".."], [""]])(
    "a path parameter %j is refused before any request: it would change the upstream path",
    (id) => {
      const bff = stubBff({});
      expect(() => api.graph.get("/users/{id}", { params: { id } })).toThrow(TypeError);
      expect(bff.requests).toHaveLength(0);
    },
  );

  test("POST and PATCH send JSON and If-Match; DELETE reads a 204 as nothing", async () => {
    const task = {
      id: "t1",
      title: "A",
      done: false,
      createdAt: "",
      updatedAt: "",
      version: 2,
      etag: '"2"',
    };
    const bff = stubBff({
      "POST /api/tasks/tasks": () => json(201, task),
      "PATCH /api/tasks/tasks/{id}": () => json(200, task),
      "DELETE /api/tasks/tasks/{id}": () => new Response(null, { status: 204 }),
    });

    expect(await api.tasks.post("/tasks", { body: { title: "A" } })).toEqual(task);
    await api.tasks.patch("/tasks/{id}", {
      params: { id: "t1" },
      body: { done: true },
      ifMatch: '"2"',
    });
    expect(
      await api.tasks.delete("/tasks/{id}", { params: { id: "t1" }, ifMatch: '"2"' }),
    ).toBeUndefined();

    const [post, patch, del] = bff.requests;
    expect(post?.headers.get("content-type")).toBe("application/json");
    expect(await post?.text()).toBe('{"title":"A"}');
    expect(patch?.method).toBe("PATCH");
    expect(patch?.headers.get("if-match")).toBe('"2"');
    expect(await patch?.text()).toBe('{"done":true}');
    expect(del?.headers.get("if-match")).toBe('"2"');
    for (const request of bff.requests) expect(request.headers.get(csrfHeader.name)).toBe("1");
  });

  test("a photo is read as a Blob", async () => {
    stubBff({ "GET /api/graph/me/photo/$value": () => photo() });

    const blob = await api.graph.get("/me/photo/$value");

    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toBe("image/png");
    expect(blob.size).toBeGreaterThan(0);
  });

  test("errors: the BFF's own codes as they are; Graph's passed-through 404 as not_found", async () => {
    stubBff({
      "GET /api/graph/users": () =>
        json(401, {
          code: "consent_required",
          message: "Consent needed.",
          loginUrl: "/auth/login?scopes=User.ReadBasic.All",
        }),
      "GET /api/graph/users/{id}": () =>
        json(404, {
          error: { code: "Request_ResourceNotFound", message: "Resource 'x' does not exist." },
        }),
      "GET /api/tasks-admin/admin/summary": () =>
        json(403, { code: "forbidden", message: "The Tasks.Admin role is required." }),
    });

    await expect(api.graph.get("/users")).rejects.toMatchObject({
      status: 401,
      code: "consent_required",
      loginUrl: "/auth/login?scopes=User.ReadBasic.All",
    });
    const missing = await api.graph
      .get("/users/{id}", { params: { id: "x" } })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiRequestError);
    expect(missing).toMatchObject({
      status: 404,
      code: "not_found",
      message: "Resource 'x' does not exist.",
    });
    await expect(api.tasksAdmin.get("/admin/summary")).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
    });
  });

  test("queryString leaves out undefined values and refuses objects", () => {
    expect(queryString({ a: undefined, $top: 3, b: "x y" })).toBe("?$top=3&b=x%20y");
    expect(queryString({})).toBe("");
    expect(() => queryString({ a: { b: 1 } })).toThrow(TypeError);
  });
});

test("every call the contract declares is allowed by config/downstream-apis.json", () => {
  const config = JSON.parse(
    readFileSync(
      resolve(dirname(fileURLToPath(import.meta.url)), "../../../../config/downstream-apis.json"),
      "utf8",
    ),
  ) as { apis: Record<string, { allow: string[]; query?: string[]; requestHeaders?: string[] }> };

  for (const [name, endpoints] of Object.entries(declaredApis)) {
    const declared = config.apis[name];
    expect(declared, `API "${name}" in DOWNSTREAM_APIS_FILE`).toBeDefined();
    for (const key of Object.keys(endpoints)) {
      expect(declared?.allow, `${name}: ${key}`).toContain(key);
    }
  }
  // What the People page sends with its searches.
  expect(config.apis.graph?.query).toEqual(
    expect.arrayContaining(["$search", "$select", "$top", "$count", "$skiptoken"]),
  );
  expect(config.apis.graph?.requestHeaders).toContain("consistencylevel");
  expect(config.apis.tasks?.requestHeaders).toContain("if-match");
});
