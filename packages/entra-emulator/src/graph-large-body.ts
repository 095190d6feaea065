/**
 * The `large_body` fault's bodies: exactly the asked number of bytes, produced chunk by
 * chunk as the reader consumes them, so a 1 GiB body never sits in the emulator's memory.
 */
import { Readable } from "node:stream";
import { crc32, deflateSync } from "node:zlib";
import { pngChunk, pngSignature } from "./photos.ts";

const chunkSize = 64 * 1024;

/**
 * A JSON document of `bytes` bytes: a collection's `value` repeats its entries over and
 * over, an entity is padded with whitespace (still the same JSON). The body as it is when
 * that is already larger.
 */
export function largeJsonBody(
  body: Record<string, unknown>,
  bytes: number,
): { stream: Readable; length: number } {
  const items = Array.isArray(body.value) ? body.value.map((item) => JSON.stringify(item)) : [];
  let head: string;
  let tail: string;
  if (Array.isArray(body.value)) {
    // `value` last, so the page's annotations come first as in Graph's pages.
    const { value: _value, ...annotations } = body;
    head = `${JSON.stringify(annotations).slice(0, -1)}${Object.keys(annotations).length > 0 ? "," : ""}"value":[`;
    tail = "]}";
  } else {
    const json = JSON.stringify(body);
    head = json.slice(0, -1);
    tail = "}";
  }
  const fixed = Buffer.byteLength(head) + Buffer.byteLength(tail);
  if (fixed >= bytes) {
    const json = Buffer.from(JSON.stringify(body));
    return { stream: Readable.from([json]), length: json.length };
  }
  return { stream: Readable.from(jsonChunks(head, items, tail, bytes)), length: bytes };
}

function* jsonChunks(head: string, items: string[], tail: string, bytes: number) {
  let remaining = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail);
  let pending = head;
  let index = 0;
  while (items.length > 0) {
    const item = `${index === 0 ? "" : ","}${items[index % items.length]}`;
    const size = Buffer.byteLength(item);
    if (size > remaining) break;
    pending += item;
    remaining -= size;
    index += 1;
    if (pending.length >= chunkSize) {
      yield Buffer.from(pending);
      pending = "";
    }
  }
  if (pending) yield Buffer.from(pending);
  // Whitespace is allowed before the closing bracket: it fills to the exact size.
  yield* filler(remaining, 0x20);
  yield Buffer.from(tail);
}

/**
 * A valid PNG of `bytes` bytes: a 1×1 image and a `tEXt` comment chunk holding the rest,
 * its CRC computed as the chunk streams.
 */
export function largePngBody(bytes: number): Readable {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const image = Buffer.concat([
    pngSignature,
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(Buffer.from([0, 0x33, 0x66, 0x99]))),
  ]);
  const keyword = Buffer.from("Comment\0", "latin1");
  const end = pngChunk("IEND", Buffer.alloc(0));
  const textLength = bytes - image.length - end.length - 12;
  return Readable.from(pngChunks(image, keyword, textLength, end));
}

function* pngChunks(image: Buffer, keyword: Buffer, textLength: number, end: Buffer) {
  yield image;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(textLength);
  const typeAndKeyword = Buffer.concat([Buffer.from("tEXt", "latin1"), keyword]);
  yield Buffer.concat([length, typeAndKeyword]);
  let crc = crc32(typeAndKeyword);
  for (const chunk of filler(textLength - keyword.length, 0x78)) {
    crc = crc32(chunk, crc);
    yield chunk;
  }
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc);
  yield checksum;
  yield end;
}

function* filler(length: number, byte: number) {
  const full = Buffer.alloc(chunkSize, byte);
  for (let left = length; left > 0; left -= chunkSize) {
    yield left >= chunkSize ? full : full.subarray(0, left);
  }
}
