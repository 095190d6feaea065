// The load worker for real (its own process, autocannon) against a small server that records
// what arrives: the create-then-delete pairs must carry what each create answered.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoadWorker } from "../load-client.ts";
import { createdEtagPlaceholder, createdIdPlaceholder } from "../load-spec.ts";

describe("the load worker", () => {
  const seen = { created: 0, deleted: 0, refused: [] as string[] };
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    let next = 0;
    const live = new Map<string, string>();
    server = createServer((req, res) => {
      if (req.method === "POST" && req.url === "/tasks") {
        const id = `t${++next}`;
        const etag = `"v${next}"`;
        live.set(id, etag);
        seen.created++;
        res
          .writeHead(201, { "content-type": "application/json", etag })
          .end(JSON.stringify({ id }));
        return;
      }
      const id = /^\/tasks\/(.+)$/.exec(req.url ?? "")?.[1] ?? "";
      if (req.method === "DELETE" && live.get(id) === req.headers["if-match"]) {
        live.delete(id);
        seen.deleted++;
        res.writeHead(204).end();
        return;
      }
      seen.refused.push(`${req.method} ${req.url} ${req.headers["if-match"]}`);
      res.writeHead(412).end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("deletes exactly what each connection created, naming its ETag", async () => {
    // The dev CA, which the repo's vitest config makes sure of (unused: the server is http).
    const worker = startLoadWorker(process.env.NODE_EXTRA_CA_CERTS!);
    try {
      const figures = await worker.run({
        id: "create-delete",
        connections: 3,
        seconds: 0.5,
        slices: 1,
        warmupSeconds: 0,
        pids: { toy: process.pid },
        sides: [
          {
            kind: "http",
            id: "toy",
            title: "toy",
            server: "toy",
            url: origin,
            stride: 2,
            requests: [
              { method: "POST", path: "/tasks", headers: {}, body: "{}", captureId: true },
              {
                method: "DELETE",
                path: `/tasks/${createdIdPlaceholder}`,
                headers: { "if-match": createdEtagPlaceholder },
              },
            ],
          },
        ],
      });
      expect(seen.refused).toEqual([]);
      expect(seen.created).toBeGreaterThan(10);
      // A pair may be cut off by the end of the slice: at most one per connection.
      expect(seen.created - seen.deleted).toBeLessThanOrEqual(3);
      expect(figures.sides[0]!.failed).toBe(0);
      // Every answer counted, but those still in flight when the slice stopped.
      const answered = seen.created + seen.deleted;
      expect(figures.sides[0]!.ok).toBeLessThanOrEqual(answered);
      expect(figures.sides[0]!.ok).toBeGreaterThanOrEqual(answered - 2 * 3);
    } finally {
      await worker.close();
    }
  });

  it("stops after `amount` requests rather than its seconds (the second pass's same work)", async () => {
    const worker = startLoadWorker(process.env.NODE_EXTRA_CA_CERTS!);
    const createdBefore = seen.created;
    try {
      const figures = await worker.run({
        id: "amount",
        connections: 2,
        seconds: 20,
        slices: 1,
        warmupSeconds: 0,
        pids: { toy: process.pid },
        sides: [
          {
            kind: "http",
            id: "toy",
            title: "toy",
            server: "toy",
            url: origin,
            amount: 40,
            requests: [{ method: "POST", path: "/tasks", headers: {}, body: "{}" }],
          },
        ],
      });
      expect(figures.sides[0]!.ok).toBe(40);
      expect(seen.created - createdBefore).toBe(40);
    } finally {
      await worker.close();
    }
  });
});
