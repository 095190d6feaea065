// The servers `pnpm dev` and `pnpm preview` run: each started in its own process group (so
// wrappers such as pnpm and `tsx watch` stop with it), its output prefixed line by line, and
// all of them stopped together.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

export class DevError extends Error {}

export class Children {
  #children = new Map();
  #stopping = false;
  #onUnexpectedExit;

  /** `onUnexpectedExit(name, code, signal)`: a child ended while nothing was stopping. */
  constructor({ onUnexpectedExit }) {
    this.#onUnexpectedExit = onUnexpectedExit;
  }

  get stopping() {
    return this.#stopping;
  }

  has(name) {
    return this.#children.has(name);
  }

  /**
   * Starts `command args` with `env` added to this process's; `onLine(line, "stdout" | "stderr")` gets each output line.
   * A `oneShot` child (a build step) is expected to end: its exit is only reported in `exited`.
   */
  start(name, command, args, { cwd, env, onLine, oneShot = false }) {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.#children.set(name, child);
    for (const [stream, from] of [
      [child.stdout, "stdout"],
      [child.stderr, "stderr"],
    ]) {
      createInterface({ input: stream }).on("line", (line) => onLine(line, from));
    }
    const exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.#children.delete(name);
        resolve({ code, signal });
        if (!this.#stopping && !oneShot) this.#onUnexpectedExit(name, code, signal);
      });
    });
    child.on("error", (error) => {
      this.#children.delete(name);
      if (!this.#stopping) this.#onUnexpectedExit(name, null, null, error);
    });
    return { child, exited };
  }

  /** SIGTERM to every group, SIGKILL to what is left after `graceMs`. */
  async stopAll(graceMs = 5_000) {
    this.#stopping = true;
    for (const child of this.#children.values()) signalGroup(child, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (this.#children.size > 0 && Date.now() < deadline) await sleep(50);
    for (const child of this.#children.values()) signalGroup(child, "SIGKILL");
  }
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Polls `url` until it answers 2xx; fails early when `alive()` turns false. */
export async function waitFor(url, { what, alive, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let lastError = "no answer";
  while (Date.now() < deadline) {
    if (!alive()) throw new DevError(`${what} exited before it was ready; see its output above.`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return response;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error.cause?.code ?? error.message;
    }
    await sleep(200);
  }
  throw new DevError(`${what} did not answer ${url} within ${timeoutMs / 1000} s (${lastError}).`);
}

/** `ports`: `{ port, what, setting? }`; one error naming every port that is taken. */
export async function assertPortsFree(ports) {
  const taken = [];
  for (const entry of ports) {
    if (!(await portFree(entry.port, "127.0.0.1")) || !(await portFree(entry.port, "::1"))) {
      taken.push(entry);
    }
  }
  if (taken.length === 0) return;
  const lines = taken.map(
    ({ port, what, setting }) =>
      `  - port ${port} for ${what} is already in use${setting ? ` (choose another with ${setting}=<port>)` : ""}`,
  );
  throw new DevError(
    `Cannot start:\n${lines.join("\n")}\nIs another \`pnpm dev\` or \`pnpm preview\` running? Find the process with \`lsof -i :<port>\` or \`ss -ltnp\`.`,
  );
}

function portFree(port, host) {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", (error) => {
      // No IPv6 on this machine: nothing can be listening there.
      resolvePort(error.code === "EADDRNOTAVAIL" || error.code === "EAFNOSUPPORT");
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolvePort(true)));
  });
}
