// vitest globalSetup (bff project): the Redis tests (revocations, cached tokens shared by
// several instances) run against a real redis-server. With REDIS_TEST_URL set (CI sets it, or
// point it at your own Redis) this does nothing; otherwise it starts a throwaway redis-server
// on 127.0.0.1 (a free port, nothing written to disk) for this run and stops it afterwards,
// so `pnpm test` never skips those tests without saying so.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

export async function setup() {
  if (process.env.REDIS_TEST_URL) return undefined;
  const port = await freePort();
  const server = spawn(
    "redis-server",
    ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"],
    { cwd: tmpdir(), stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  server.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const failed = new Promise((resolve) => {
    server.once("error", resolve);
    server.once("exit", (code, signal) => resolve(new Error(`exited (${signal ?? code})`)));
  });
  const ready = await Promise.race([answersPing(port), failed]);
  if (ready !== true) {
    server.kill("SIGKILL");
    const missing = ready?.code === "ENOENT";
    throw new Error(
      missing
        ? "The Redis tests need a redis-server: install one (Debian: `apt-get install redis-server`) " +
            "or point REDIS_TEST_URL at a Redis of yours (e.g. redis://127.0.0.1:6379/15)."
        : `redis-server for the tests did not start on 127.0.0.1:${port}: ${ready?.message ?? "no PONG"}\n${stderr}`,
    );
  }
  // Test workers are forked after global setup and inherit this environment.
  process.env.REDIS_TEST_URL = `redis://127.0.0.1:${port}/15`;
  return async () => {
    delete process.env.REDIS_TEST_URL;
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, "exit");
    server.kill("SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), sleep(5_000, false)]);
    if (!stopped) server.kill("SIGKILL");
  };
}

/** Resolves `true` once 127.0.0.1:`port` answers PING, or `false` after about 5 s. */
async function answersPing(port) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await ping(port)) return true;
    await sleep(50);
  }
  return false;
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let answer = "";
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk;
      if (answer.includes("\r\n")) socket.end();
    });
    socket.on("close", () => resolve(answer.startsWith("+PONG")));
    socket.on("error", () => {});
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
