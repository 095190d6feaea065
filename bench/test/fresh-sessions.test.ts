import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { paths } from "@entra-bff/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredCookie } from "../cookies.ts";
import { keepSessionsFresh } from "../fresh-sessions.ts";

// A stand-in for the BFF's /api/me: re-issues the identity cookie of "old" sessions only,
// as the BFF does once a session's last extension is a minute old.
const seen: { cookie?: string; csrf?: string }[] = [];
const server = createServer((request, response) => {
  seen.push({ cookie: request.headers.cookie, csrf: request.headers["x-csrf"] as string });
  if (request.url !== paths.me) return response.writeHead(404).end();
  if (request.headers.cookie?.includes("bff-session=gone"))
    return response.writeHead(401).end("{}");
  if (request.headers.cookie?.includes("bff-session=old")) {
    response.setHeader("set-cookie", ["bff-session=new; Path=/; HttpOnly"]);
  }
  response.writeHead(200, { "content-type": "application/json" }).end("{}");
});
let origin = "";
beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const cookie = (name: string, value: string): StoredCookie => ({
  name,
  value,
  line: `${name}=${value}`,
});

describe("keeping the load's sessions fresh", () => {
  it("keeps what the server re-issued, in place, and leaves the rest as they were", async () => {
    const stale = [cookie("bff-session", "old"), cookie("bff-token-0", "t")];
    const fresh = [cookie("bff-session", "recent"), cookie("bff-token-0", "u")];
    const sessions = [stale, fresh];
    const before = sessions[0];
    expect(await keepSessionsFresh(origin, sessions, { "x-csrf": "1" })).toBe(1);
    expect(sessions[0]).toBe(before);
    expect(stale.map((c) => `${c.name}=${c.value}`).sort()).toEqual([
      "bff-session=new",
      "bff-token-0=t",
    ]);
    expect(fresh.map((c) => c.value)).toEqual(["recent", "u"]);
    expect(seen.slice(-2)).toEqual([
      { cookie: "bff-session=old; bff-token-0=t", csrf: "1" },
      { cookie: "bff-session=recent; bff-token-0=u", csrf: "1" },
    ]);
  });

  it("fails, naming the answer, when a session is no longer signed in", async () => {
    await expect(
      keepSessionsFresh(origin, [[cookie("bff-session", "gone")]], { "x-csrf": "1" }),
    ).rejects.toThrow(/answered 401/);
  });
});
