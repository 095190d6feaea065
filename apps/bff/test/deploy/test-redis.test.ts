import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the repository's scripts, without type declarations.
import { setup } from "../../../../scripts/test-redis-server.mjs";
import { freePort } from "../helpers/free-port.ts";
import { repoRoot } from "./repo-files.ts";

// The Redis tests never skip silently: `pnpm test` starts its own redis-server when
// REDIS_TEST_URL is unset, and CI's script starts one and stops it however the run ends.

const run = promisify(execFile);

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let answer = "";
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk;
      socket.end();
    });
    socket.on("close", () => resolve(answer.startsWith("+PONG")));
    socket.on("error", () => {});
  });
}

describe("the test command's own redis-server (vitest globalSetup)", () => {
  it("is what the bff project's tests run with", () => {
    const config = readFileSync(join(repoRoot, "apps/bff/vitest.config.ts"), "utf8");
    expect(config).toContain('globalSetup: ["../../scripts/test-redis-server.mjs"]');
    // This very run has a Redis: the one given, or the one global setup started.
    expect(process.env.REDIS_TEST_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/15$/);
  });

  it("starts one on 127.0.0.1 when REDIS_TEST_URL is unset, and stops it afterwards", async () => {
    const given = process.env.REDIS_TEST_URL;
    delete process.env.REDIS_TEST_URL;
    try {
      const teardown = (await setup()) as () => Promise<void>;
      const url = new URL(process.env.REDIS_TEST_URL!);
      expect(url.hostname).toBe("127.0.0.1");
      expect(url.pathname).toBe("/15");
      expect(await answersPing(Number(url.port))).toBe(true);
      await teardown();
      expect(await answersPing(Number(url.port))).toBe(false);
      expect(process.env.REDIS_TEST_URL).toBeUndefined();
    } finally {
      process.env.REDIS_TEST_URL = given;
    }
  });

  it("leaves a given REDIS_TEST_URL alone", async () => {
    expect(await setup()).toBeUndefined();
  });
});

describe(".ci/run's redis-server (.ci/redis.sh)", () => {
  const script = (port: number, then: string) =>
    `set -euo pipefail; . .ci/redis.sh; start_test_redis ${port} >/dev/null; redis-cli -p ${port} ping; ${then}`;

  it("is sourced by .ci/run, which exports REDIS_TEST_URL for it", async () => {
    const ci = readFileSync(join(repoRoot, ".ci/run"), "utf8");
    expect(ci).toContain(
      ". .ci/redis.sh\nstart_test_redis 6379\nexport REDIS_TEST_URL=redis://127.0.0.1:6379/15",
    );
    expect(ci).not.toContain("--daemonize");
    await run("bash", ["-n", ".ci/run"], { cwd: repoRoot });
  });

  for (const [ending, then, code] of [
    ["succeeds", "exit 0", 0],
    ["fails", "false", 1],
    ["is terminated", "kill -TERM $$; sleep 10", 143],
  ] as const) {
    it(`stops the one it started when the script ${ending}`, async () => {
      const port = await freePort();
      const child = spawn("bash", ["-c", script(port, then)], { cwd: repoRoot });
      let stdout = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      const exitCode = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(stdout).toContain("PONG");
      expect(exitCode).toBe(code);
      expect(await answersPing(port)).toBe(false);
    });
  }

  it("reuses a Redis that already answers, and leaves it running", async () => {
    const port = await freePort();
    const existing = spawn(
      "redis-server",
      ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    try {
      for (let i = 0; i < 100 && !(await answersPing(port)); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const { stdout } = await run("bash", ["-c", script(port, "exit 0")], { cwd: repoRoot });
      expect(stdout).toContain("PONG");
      expect(await answersPing(port)).toBe(true);
    } finally {
      existing.kill("SIGTERM");
      await new Promise((resolve) => existing.once("exit", resolve));
    }
  });
});
