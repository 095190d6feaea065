/**
 * Profile photos: a PNG per person, drawn from the oid (a symmetric 5×5 pattern, like a
 * GitHub identicon), so each person looks the same on every run. Sizes are Graph's HD photo
 * sizes up to the stored one, as for a photo uploaded at 240×240.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import type { TestUser } from "./types.ts";

/** Graph's photo sizes; a person's stored photo is 240×240, so larger ones do not exist. */
export const photoSizes = [48, 64, 96, 120, 240] as const;
export const storedPhotoSize = 240;

export interface Photo {
  size: number;
  png: Buffer;
  /** Strong ETag (quoted), also Graph's `@odata.mediaEtag`. */
  etag: string;
}

const cache = new Map<string, Photo>();
const cacheLimit = 2000;

export function hasPhoto(user: TestUser): boolean {
  return user.hasPhoto !== false;
}

/**
 * The person's photo at a Graph size ("240x240"-style ids are parsed by the caller), or
 * undefined when the person has none or the size is not one they have.
 */
export function photoOf(user: TestUser, size: number = storedPhotoSize): Photo | undefined {
  if (!hasPhoto(user) || !(photoSizes as readonly number[]).includes(size)) return undefined;
  const key = `${user.oid}:${size}`;
  let photo = cache.get(key);
  if (!photo) {
    const png = drawIdenticon(user.oid, size);
    const etag = `"${createHash("sha256").update(png).digest("hex").slice(0, 8).toUpperCase()}"`;
    photo = { size, png, etag };
    // Bounded: a users file with many people cannot grow it without limit.
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(key, photo);
  }
  return photo;
}

/** `240X240` (Graph's profilePhoto id) or `240x240` → 240; undefined if not that form. */
export function parsePhotoSize(id: string): number | undefined {
  const match = /^(\d{1,4})[xX](\d{1,4})$/.exec(id);
  return match && match[1] === match[2] ? Number(match[1]) : undefined;
}

function drawIdenticon(seed: string, size: number): Buffer {
  const hash = createHash("sha256").update(seed).digest();
  const foreground = hslToRgb((hash[0]! / 255) * 360, 0.55, 0.5);
  const background = [240, 240, 240];
  // 15 bits choose the cells of the left three columns; the right two mirror them.
  const filled = (row: number, column: number) => {
    const mirrored = column > 2 ? 4 - column : column;
    return (hash[1 + row]! >> mirrored) & 1;
  };
  // A 5×5 grid inside a margin of half a cell: 6 cells across the image.
  const rowBytes = 1 + size * 3;
  const raw = Buffer.alloc(rowBytes * size);
  for (let y = 0; y < size; y += 1) {
    raw[y * rowBytes] = 0; // PNG filter: none
    const v = (y * 6) / size - 0.5;
    for (let x = 0; x < size; x += 1) {
      const u = (x * 6) / size - 0.5;
      const inside = u >= 0 && v >= 0 && u < 5 && v < 5;
      const color = inside && filled(Math.floor(v), Math.floor(u)) ? foreground : background;
      raw.set(color, y * rowBytes + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no interlace
  return Buffer.concat([
    pngSignature,
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw, { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

export const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

function hslToRgb(hue: number, saturation: number, lightness: number): number[] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = lightness - chroma / 2;
  const sector = Math.floor(hue / 60) % 6;
  const [r, g, b] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ][sector]!;
  return [r!, g!, b!].map((channel) => Math.round((channel + m) * 255));
}
