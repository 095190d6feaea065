import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { json, startTasksApi, type TestTasksApi } from "../helpers/tasks-api.ts";
import { useTempDirs } from "../helpers/temp-dir.ts";
import { startTestAuthority } from "../helpers/test-authority.ts";

const temp = useTempDirs();
let api: TestTasksApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("health", () => {
  it("/healthz and /readyz are ok once the issuer's metadata and keys are loaded; no token needed", async () => {
    const issuer = await startTestAuthority("aaaabbbb-0000-cccc-1111-dddd2222eeee");
    try {
      api = await startTasksApi({ authority: issuer.authority, dataDir: await temp.dir() });
      expect(json(await api.request(undefined, { url: "/healthz" }))).toEqual({ status: "ok" });
      const ready = await api.request(undefined, { url: "/readyz" });
      expect(ready.statusCode).toBe(200);
      expect(json(ready)).toEqual({ status: "ok" });
    } finally {
      await issuer.close();
    }
  });

  it("/readyz is 503 with the reason while the issuer is unreachable; requests get 503, not 401", async () => {
    const port = await unusedPort();
    api = await startTasksApi({
      authority: `https://localhost:${port}/aaaabbbb-0000-cccc-1111-dddd2222eeee`,
      dataDir: await temp.dir(),
      waitForAuthority: false,
    });
    expect(json(await api.request(undefined, { url: "/healthz" }))).toEqual({ status: "ok" });
    const ready = await api.request(undefined, { url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(json(ready)).toEqual({
      status: "unavailable",
      reason: expect.stringMatching(/^token issuer metadata and keys not loaded: /),
    });
    const call = await api.request("a.b.c", { url: "/tasks" });
    expect(call.statusCode).toBe(503);
    expect(call.headers["retry-after"]).toBe("5");
    expect(json(call)).toMatchObject({ code: "idp_unavailable" });
  });
});
