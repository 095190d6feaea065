import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, defaultUsers, type Emulator } from "../src/index.ts";
import {
  expectGraphError,
  graph,
  graphJson,
  graphToken,
  readBasic,
  userRead,
} from "./graph-helpers.ts";

let emulator: Emulator;
let basicToken: string;
let userReadToken: string;
const [adele, alex] = defaultUsers as [(typeof defaultUsers)[0], (typeof defaultUsers)[0]];
const allan = defaultUsers.find((u) => u.displayName === "Allan Deyoung")!;
const grady = defaultUsers.find((u) => u.displayName === "Grady Archie")!;

beforeAll(async () => {
  emulator = await createEmulator({ port: 0 });
  [basicToken, userReadToken] = await Promise.all([
    graphToken(emulator, 0, readBasic),
    graphToken(emulator, 0, userRead),
  ]);
});
afterAll(() => emulator.close());

/** Reads a PNG's size and checks every chunk's CRC by decoding the image data. */
function decodePng(bytes: Buffer) {
  expect(bytes.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  expect(bytes.toString("latin1", 12, 16)).toBe("IHDR");
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const idatAt = bytes.indexOf("IDAT", 0, "latin1");
  const idatLength = bytes.readUInt32BE(idatAt - 4);
  const pixels = inflateSync(bytes.subarray(idatAt + 4, idatAt + 4 + idatLength));
  expect(pixels.length).toBe(height * (1 + width * 3));
  expect(bytes.toString("latin1", bytes.length - 8, bytes.length - 4)).toBe("IEND");
  return { width, height, pixels };
}

describe("profile photos", () => {
  it("/me/photo/$value: a PNG of the signed-in user with an ETag, User.Read enough", async () => {
    const response = await graph(emulator, "/me/photo/$value", { token: userReadToken });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[0-9A-F]{8}"$/);
    const png = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get("content-length"))).toBe(png.length);
    expect(decodePng(png)).toMatchObject({ width: 240, height: 240 });

    // The same image on every request (and run): it is drawn from the oid.
    const again = await graph(emulator, `/users/${adele.oid}/photo/$value`, { token: basicToken });
    expect(Buffer.from(await again.arrayBuffer())).toEqual(png);
    expect(again.headers.get("etag")).toBe(etag);

    const cached = await graph(emulator, "/me/photo/$value", {
      token: userReadToken,
      headers: { "if-none-match": etag! },
    });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("etag")).toBe(etag);
  });

  it("each person has their own image", async () => {
    const a = await graph(emulator, `/users/${adele.oid}/photo/$value`, { token: basicToken });
    const b = await graph(emulator, `/users/${allan.userPrincipalName}/photo/$value`, {
      token: basicToken,
    });
    expect(a.headers.get("etag")).not.toBe(b.headers.get("etag"));
    expect(Buffer.from(await a.arrayBuffer())).not.toEqual(Buffer.from(await b.arrayBuffer()));
  });

  it("someone without a photo: 404 ImageNotFound, as Graph answers", async () => {
    for (const path of [`/users/${grady.oid}/photo/$value`, `/users/${grady.oid}/photo`]) {
      await expectGraphError(
        await graph(emulator, path, { token: basicToken }),
        404,
        "ImageNotFound",
        "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
      );
    }
    const alexToken = await graphToken(emulator, alex.userPrincipalName, userRead);
    await expectGraphError(
      await graph(emulator, "/me/photo/$value", { token: alexToken }),
      404,
      "ImageNotFound",
      /ImageNotFoundException/,
    );
  });

  it("another person's photo needs User.ReadBasic.All", async () => {
    await expectGraphError(
      await graph(emulator, `/users/${allan.oid}/photo/$value`, { token: userReadToken }),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  });

  it("/photo: the metadata of the largest photo; /photos lists the sizes", async () => {
    const value = await graph(emulator, "/me/photo/$value", { token: userReadToken });
    const meta = await graphJson(emulator, "/me/photo", { token: userReadToken });
    expect(meta).toEqual({
      "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#users('${adele.oid}')/photo/$entity`,
      "@odata.mediaContentType": "image/png",
      "@odata.mediaEtag": value.headers.get("etag"),
      id: "240X240",
      height: 240,
      width: 240,
    });
    const list = await graphJson<{ value: { id: string }[] }>(
      emulator,
      `/users/${allan.oid}/photos`,
      {
        token: basicToken,
      },
    );
    expect(list.value.map((photo) => photo.id)).toEqual([
      "48X48",
      "64X64",
      "96X96",
      "120X120",
      "240X240",
    ]);
    const small = await graph(emulator, `/users/${allan.oid}/photos/48x48/$value`, {
      token: basicToken,
    });
    expect(decodePng(Buffer.from(await small.arrayBuffer()))).toMatchObject({
      width: 48,
      height: 48,
    });
    await expectGraphError(
      await graph(emulator, `/users/${allan.oid}/photos/648x648/$value`, { token: basicToken }),
      404,
      "ImageNotFound",
      /ImageNotFoundException/,
    );
  });

  it("writing a photo is refused: the emulator grants no write permission", async () => {
    await expectGraphError(
      await graph(emulator, "/me/photo/$value", {
        token: userReadToken,
        method: "PUT",
        headers: { "content-type": "image/png" },
        body: "x",
      }),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  });
});
