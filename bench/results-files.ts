// bench/results/: one JSON + Markdown pair per run, and latest.json/.md for the newest.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BenchResults } from "./types.ts";

export const resultsDir = new URL("./results/", import.meta.url).pathname;
export const latestJson = join(resultsDir, "latest.json");
export const resultsVersion = 3;

export async function readResults(file: string): Promise<BenchResults> {
  const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<BenchResults>;
  if (parsed.version !== resultsVersion || !Array.isArray(parsed.phases)) {
    // Version 2 divided by Fastify *with* the BFF's logger, one phase at a time: its ratios
    // do not compare with these.
    throw new TypeError(
      `${file} is not a result file of this benchmark's version ${resultsVersion}` +
        (typeof parsed.version === "number" ? ` (it is version ${parsed.version})` : ""),
    );
  }
  return parsed as BenchResults;
}

export async function readLatest(): Promise<BenchResults | undefined> {
  return existsSync(latestJson) ? readResults(latestJson) : undefined;
}

/** Writes `<timestamp>.json/.md` and `latest.json/.md`; returns the timestamped JSON's path. */
export async function writeResults(results: BenchResults, markdown: string): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const stamp = results.machine.date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
  const json = `${JSON.stringify(results, null, 2)}\n`;
  for (const name of [stamp, "latest"]) {
    await writeFile(join(resultsDir, `${name}.json`), json);
    await writeFile(join(resultsDir, `${name}.md`), markdown);
  }
  return join(resultsDir, `${stamp}.json`);
}
