// The BFF's log lines on its real standard output, written in batches (logger.ts). What an
// operator relies on: nothing is lost when the process exits right after logging (a fatal
// start-up error, the end of a shutdown), a warning is written the moment it is logged —
// with the lines before it, in order — and a quiet server's lines appear without more
// traffic pushing them out.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/log-to-stdout.ts", import.meta.url));
const running = new Set<ReturnType<typeof spawn>>();

afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

function start(mode: string) {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, mode], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk));
  const messages = () =>
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  /** Resolves once `msg` is on stdout while the process still runs. */
  const waitFor = (msg: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (messages().includes(msg)) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(check, 20);
      child.once("exit", (code) => {
        clearInterval(timer);
        reject(new Error(`exited (${code}) before "${msg}" was written: ${err}`));
      });
    });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, messages, waitFor, exited };
}

describe("log lines on standard output", () => {
  it("are all written when the process exits right after logging them", async () => {
    const run = start("exit");
    expect(await run.exited).toBe(0);
    expect(run.messages()).toEqual(["line 0", "line 1", "line 2"]);
  });

  it("lines with multi-byte characters arrive intact, each on its own line", async () => {
    const run = start("utf8");
    expect(await run.exited).toBe(0);
    expect(run.messages()).toEqual(["Zoë Ångström", "日本語の名前", "emoji 🙂 line"]);
  });

  it("a warning is written at once, with the lines buffered before it, in order", async () => {
    const run = start("warn");
    await run.waitFor("the warning");
    expect(run.child.exitCode).toBeNull();
    expect(run.messages()).toEqual(["access line before the warning", "the warning"]);
  });

  it("a lone line on an idle server is written without waiting for more", async () => {
    const run = start("idle");
    await run.waitFor("a single quiet line");
    expect(run.child.exitCode).toBeNull();
  });
});
