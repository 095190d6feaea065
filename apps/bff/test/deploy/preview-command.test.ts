import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port.ts";
import { HttpBrowser } from "./http-browser.ts";
import { repoRoot } from "./repo-files.ts";

// `pnpm preview` as a user runs it: the production bundles against the emulator in one
// command (here with --no-build: `pnpm test` has just built), readable log lines, and Ctrl-C
// ending everything with exit code 0 (no "ELIFECYCLE Command failed"). It shares its
// orchestration with `pnpm dev`, whose Vite port (5173) is fixed and so is not started here.

const dataDir = mkdtempSync(join(tmpdir(), "entra-bff-preview-data-"));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("pnpm preview", { timeout: 120_000 }, () => {
  it("runs the production build against the emulator, one line per request; Ctrl-C exits 0", async () => {
    for (const file of ["apps/bff/dist/server.js", "apps/web/dist/index.html"]) {
      if (!existsSync(join(repoRoot, file)))
        throw new Error(`${file} missing: run \`pnpm build\`.`);
    }
    const [port, emulatorPort, tasksPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn("pnpm", ["preview", "--no-build"], {
      cwd: repoRoot,
      // Its own process group, as a terminal's foreground job is, for the Ctrl-C below.
      detached: true,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmpdir(),
        NO_COLOR: "1",
        PORT: String(port),
        EMULATOR_PORT: String(emulatorPort),
        TASKS_API_PORT: String(tasksPort),
        TASKS_DATA_DIR: dataDir,
        // Set but empty: a developer's .env cannot switch this run to real Entra ID.
        ENTRA_AUTHORITY: "",
        ENTRA_CLIENT_ID: "",
        ENTRA_CLIENT_SECRET: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(child);
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

    const deadline = Date.now() + 90_000;
    while (!output.includes("Ctrl-C stops everything.")) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`pnpm preview did not start:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const origin = `http://localhost:${port}`;
    expect(output).toContain(`entra-bff's production build is running. Open ${origin}`);
    expect(output).toContain(`Tasks API: http://127.0.0.1:${tasksPort}`);
    expect(output).not.toContain("The BFF is not ready yet");

    const index = await fetch(`${origin}/`);
    expect(await index.text()).toContain('<div id="root">');
    const browser = new HttpBrowser(origin, "AdeleV@contoso.example");
    await browser.signIn();
    expect((await browser.fetch("/api/me", { headers: { "x-csrf": "1" } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const bffLines = output.split("\n").filter((line) => line.startsWith("[bff]"));
    expect(bffLines).toContainEqual(
      expect.stringMatching(/^\[bff\] +GET \/api\/me 200 \d+\.\d ms$/),
    );
    for (const line of bffLines) expect(line, line).not.toMatch(/^\[bff\] +\{/);

    // Ctrl-C: the terminal signals the whole foreground process group.
    process.kill(-child.pid!, "SIGINT");
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    for (const server of [port, emulatorPort, tasksPort]) {
      expect(await listening(server), `port ${server}`).toBe(false);
    }
  });

  it("refuses an unknown option with its usage", async () => {
    const child = spawn(process.execPath, ["scripts/dev.mjs", "--prod"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option --prod. Usage: pnpm dev | pnpm preview [--no-build]");
  });
});
