// The SPA's initial download: the scripts and stylesheets its index.html loads, gzip'd.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { AssetSize, SpaReport } from "./types.ts";

/** The local files index.html loads before the app runs: module scripts, preloads, styles. */
export function initialAssets(html: string): { js: string[]; css: string[] } {
  const js = new Set<string>();
  const css = new Set<string>();
  for (const [tag = "", name] of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const attributes = Object.fromEntries(
      [...tag.matchAll(/([a-z-]+)(?:\s*=\s*"([^"]*)")?/gi)].map(([, key = "", value = ""]) => [
        key.toLowerCase(),
        value,
      ]),
    );
    const local = (url: string | undefined) =>
      url && !/^[a-z]+:|^\/\//i.test(url) ? url : undefined;
    if (name?.toLowerCase() === "script") {
      const src = local(attributes.src);
      if (src) js.add(src);
    } else if (attributes.rel === "modulepreload") {
      const href = local(attributes.href);
      if (href) js.add(href);
    } else if (attributes.rel === "stylesheet") {
      const href = local(attributes.href);
      if (href) css.add(href);
    }
  }
  return { js: [...js], css: [...css] };
}

/** Sizes at gzip's default level (what most servers and CDNs use); null if not built. */
export async function measureSpa(distDir: string): Promise<SpaReport | null> {
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) return null;
  const assets = initialAssets(await readFile(indexFile, "utf8"));
  const measure = async (url: string): Promise<AssetSize> => {
    const content = await readFile(join(distDir, url.replace(/^\//, "").split(/[?#]/)[0]!));
    return { file: url, bytes: content.length, gzipBytes: gzipSync(content).length };
  };
  const js = await Promise.all(assets.js.map(measure));
  const css = await Promise.all(assets.css.map(measure));
  const total = (sizes: AssetSize[]) => sizes.reduce((sum, size) => sum + size.gzipBytes, 0);
  return { js, css, jsGzipBytes: total(js), cssGzipBytes: total(css) };
}
