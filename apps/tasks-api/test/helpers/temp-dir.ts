// A fresh folder per test under the OS temp dir, removed afterwards.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

/** Call at the top of a test file; `dir()` is the current test's folder. */
export function useTempDirs(): { dir(): Promise<string> } {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    async dir() {
      const d = await mkdtemp(join(tmpdir(), "tasks-api-test-"));
      created.push(d);
      return d;
    },
  };
}
