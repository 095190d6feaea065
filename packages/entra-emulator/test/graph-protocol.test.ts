import { crc32 } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, defaultUsers, type Emulator } from "../src/index.ts";
import {
  expectGraphError,
  graph,
  graphJson,
  graphToken,
  readBasic,
  type UserPage,
} from "./graph-helpers.ts";

let emulator: Emulator;
let token: string;
const alex = defaultUsers[1]!;
const grady = defaultUsers.find((u) => u.hasPhoto === false && u !== alex)!;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  emulator = await createEmulator({ port: 0 });
  token = await graphToken(emulator, 0, readBasic);
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

describe("request ids", () => {
  it("every answer carries request-id, x-ms-request-id and client-request-id", async () => {
    const responses = await Promise.all([
      graph(emulator, "/me", { token }),
      graph(emulator, "/users?$top=1", { token }),
      graph(emulator, "/me/photo/$value", { token }),
      graph(emulator, "/me"),
      graph(emulator, "/nothing-here", { token }),
      graph(emulator, `/users/${grady.oid}/photo/$value`, { token }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 401, 400, 404]);
    const ids = new Set<string>();
    for (const response of responses) {
      const id = response.headers.get("request-id")!;
      expect(id).toMatch(uuid);
      expect(response.headers.get("x-ms-request-id")).toBe(id);
      // Without a client-request-id, Graph echoes its own id.
      expect(response.headers.get("client-request-id")).toBe(id);
      ids.add(id);
      await response.arrayBuffer();
    }
    expect(ids.size).toBe(responses.length);
  });

  it("echoes the caller's client-request-id, in the header and in innerError", async () => {
    const clientRequestId = "6f1b1d2e-1111-4c4c-9999-0123456789ab";
    const ok = await graph(emulator, "/me", {
      token,
      headers: { "client-request-id": clientRequestId },
    });
    expect(ok.headers.get("client-request-id")).toBe(clientRequestId);
    const failed = await graph(emulator, "/me", {
      headers: { "client-request-id": clientRequestId },
    });
    const body = await expectGraphError(
      failed,
      401,
      "InvalidAuthenticationToken",
      "Access token is empty.",
    );
    expect(body.error.innerError["client-request-id"]).toBe(clientRequestId);
  });
});

describe("paths and methods Graph does not have", () => {
  it("an unknown segment: 400 BadRequest naming it", async () => {
    for (const [path, segment] of [
      ["/nothing-here", "nothing-here"],
      ["/me/drive", "drive"],
      [`/users/${alex.oid}/manager`, "manager"],
      ["/me/photo/thumbnail", "thumbnail"],
      ["/", "v1.0"],
    ] as const) {
      await expectGraphError(
        await graph(emulator, path, { token }),
        400,
        "BadRequest",
        `Resource not found for the segment '${segment}'.`,
      );
    }
  });

  it("path segments and option names ignore case, as Graph's do", async () => {
    const user = await graphJson(emulator, `/Users/${alex.userPrincipalName}?$Select=displayName`, {
      token,
    });
    expect(user).toMatchObject({ displayName: "Alex Wilber" });
    const photo = await graph(emulator, `/USERS('${defaultUsers[0]!.oid}')/Photo/$VALUE`, {
      token,
    });
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    await photo.arrayBuffer();
  });

  it("checks the token before the path: no token, no information", async () => {
    await expectGraphError(
      await graph(emulator, "/nothing-here"),
      401,
      "InvalidAuthenticationToken",
      "Access token is empty.",
    );
  });

  it("a method the resource lacks: 405; a write it has: 403 (no write permission is granted)", async () => {
    await expectGraphError(
      await graph(emulator, "/users", {
        token,
        method: "PUT",
        body: "{}",
        headers: { "content-type": "application/json" },
      }),
      405,
      "Request_BadRequest",
      "Specified HTTP method is not allowed for the request target.",
    );
    await expectGraphError(
      await graph(emulator, "/me", { token, method: "OPTIONS" }),
      405,
      "Request_BadRequest",
      /HTTP method is not allowed/,
    );
    await expectGraphError(
      await graph(emulator, "/me", {
        token,
        method: "PATCH",
        body: '{"jobTitle":"CEO"}',
        headers: { "content-type": "application/json" },
      }),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
    await expectGraphError(
      await graph(emulator, `/users/${alex.oid}`, { token, method: "DELETE" }),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
    // Nothing changed.
    expect(await graphJson(emulator, `/users/${alex.oid}`, { token })).toMatchObject({
      displayName: "Alex Wilber",
    });
  });

  it("HEAD answers like GET, without a body", async () => {
    const response = await graph(emulator, "/me", { token, method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });
});

describe("faults apply to every Graph endpoint", () => {
  it("throttled /users: 429 with Retry-After, then normal again", async () => {
    emulator.faults.add({ target: "graph", kind: "throttled", retryAfterSeconds: 3, times: 1 });
    const throttled = await graph(emulator, "/users", { token });
    expect(throttled.headers.get("retry-after")).toBe("3");
    await expectGraphError(throttled, 429, "TooManyRequests", "Too many requests.");
    expect((await graph(emulator, "/users", { token })).status).toBe(200);
  });

  it("a claims challenge on a photo", async () => {
    emulator.faults.add({ target: "graph", kind: "claims_challenge", times: 1 });
    const response = await graph(emulator, "/me/photo/$value", { token });
    expect(response.headers.get("www-authenticate")).toMatch(
      /error="insufficient_claims", claims="[A-Za-z0-9+/=]+"$/,
    );
    await expectGraphError(
      response,
      401,
      "InvalidAuthenticationToken",
      /^Continuous access evaluation/,
    );
  });
});

describe("the large_body fault", () => {
  async function readAll(response: Response): Promise<Buffer> {
    const chunks: Buffer[] = [];
    // As Node's stream (other test files' types bring the DOM's ReadableStream, not iterable).
    for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  it("validates its size", () => {
    expect(() => emulator.faults.add({ target: "graph", kind: "large_body", bytes: 10 })).toThrow(
      new TypeError("a large_body fault needs bytes, an integer from 1024 to 1073741824"),
    );
  });

  it("a 20 MB users page: exactly that size, valid JSON, the page's entries repeated", async () => {
    const bytes = 20 * 1024 * 1024;
    emulator.faults.add({ target: "graph", kind: "large_body", bytes, times: 1 });
    const response = await graph(emulator, "/users?$select=id,displayName&$top=3", { token });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get("content-length"))).toBe(bytes);
    const body = await readAll(response);
    expect(body.length).toBe(bytes);
    const page = JSON.parse(body.toString("utf8")) as UserPage;
    expect(page["@odata.context"]).toBe(
      "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName)",
    );
    expect(page.value.length).toBeGreaterThan(100_000);
    expect(page.value.slice(0, 4).map((u) => u.displayName)).toEqual([
      "Adele Vance",
      "Alex Wilber",
      "Allan Deyoung",
      "Adele Vance",
    ]);
    // Used up: the next answer is the normal page.
    const normal = await graphJson<UserPage>(emulator, "/users?$top=3", { token });
    expect(normal.value).toHaveLength(3);
  });

  it("an entity padded with whitespace is the same JSON", async () => {
    const normal = await graphJson(emulator, "/me", { token });
    emulator.faults.add({ target: "graph", kind: "large_body", bytes: 5000, times: 1 });
    const response = await graph(emulator, "/me", { token });
    const body = await readAll(response);
    expect(body.length).toBe(5000);
    expect(JSON.parse(body.toString("utf8"))).toEqual(normal);
  });

  it("a photo: a valid PNG of exactly that size, only on success", async () => {
    const bytes = 3 * 1024 * 1024 + 7;
    emulator.faults.add({ target: "graph", kind: "large_body", bytes, times: 1 });
    // An error does not use the fault up.
    expect((await graph(emulator, "/me/photo/$value")).status).toBe(401);
    const response = await graph(emulator, "/me/photo/$value", { token });
    expect(response.headers.get("content-type")).toBe("image/png");
    const png = await readAll(response);
    expect(png.length).toBe(bytes);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    // Walk the chunks, checking each CRC.
    const types: string[] = [];
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      const typeAndData = png.subarray(at + 4, at + 8 + length);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typeAndData));
      types.push(typeAndData.toString("latin1", 0, 4));
      at += 12 + length;
    }
    expect(types).toEqual(["IHDR", "IDAT", "tEXt", "IEND"]);
  });
});
