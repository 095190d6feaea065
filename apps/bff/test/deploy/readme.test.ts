import { describe, expect, it } from "vitest";
import { readRepoFile } from "./repo-files.ts";

// The README's commands must work as written from a fresh clone, and its tables must render:
// checks that would have caught a command that does not exist or a stray row in a table.

const readme = readRepoFile("README.md");
const scripts = Object.keys(
  (JSON.parse(readRepoFile("package.json")) as { scripts: Record<string, string> }).scripts,
);
/** pnpm's own commands the README may use. */
const pnpmCommands = new Set(["install", "add", "exec", "dlx", "run", "--filter"]);

/** The README's ```sh blocks, line by line, comments dropped. */
function shellLines(): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, "").trim())
      .filter(Boolean),
  );
}

/** Cells of a Markdown table row, ignoring pipes inside code spans. */
function cells(row: string): number {
  return (
    row
      .replace(/`[^`]*`/g, "code")
      .replace(/\\\|/g, "")
      .split("|").length - 2
  );
}

describe("README.md", () => {
  it("runs only pnpm scripts that package.json defines", () => {
    const used = shellLines().flatMap((line) =>
      [...line.matchAll(/(?:^|&& )pnpm ([\w:-]+)/g)].map((m) => m[1]!),
    );
    expect(used).toEqual(expect.arrayContaining(["dev", "test", "build", "start", "preview"]));
    for (const command of used) {
      if (pnpmCommands.has(command)) continue;
      expect(scripts, `pnpm ${command}`).toContain(command);
    }
  });

  it("has tables whose every row has the header's number of columns", () => {
    const lines = readme.split("\n").map((line) => line.trim());
    let header: number | undefined;
    let tables = 0;
    lines.forEach((line, index) => {
      if (!line.startsWith("|")) {
        header = undefined;
        return;
      }
      if (header === undefined) {
        header = cells(line);
        tables += 1;
        expect(lines[index + 1], `line ${index + 1}: a table without a separator row`).toMatch(
          /^\|(\s*:?-+:?\s*\|)+$/,
        );
        return;
      }
      expect(cells(line), `README.md line ${index + 1}: ${line.slice(0, 80)}`).toBe(header);
    });
    expect(tables).toBeGreaterThan(3);
  });

  it("names the Node versions it is tested on and the image's", () => {
    expect(readme).toContain("Requires Node 20.19+");
    expect(readme).toMatch(/CI tests on Node 20\.20/);
    expect(readme).toMatch(/image ships Node 24/);
  });
});
