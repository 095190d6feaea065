// Runs src/server.ts as its own process (the way `pnpm dev` does), for tests of start-up,
// restart and graceful shutdown. Waits for readiness by polling, bounded, never by sleeping
// a fixed time.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export function runServer(env: Record<string, string>): {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: packageDir,
    // NODE_EXTRA_CA_CERTS (the dev CA) comes from the test runner's environment.
    env: {
      PATH: process.env.PATH ?? "",
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const run = runServer({ TASKS_API_PORT: String(port), TASKS_API_HOST: "127.0.0.1", ...env });
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  for (let attempt = 0; ; attempt++) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}): ${run.output()}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (attempt > 300) {
      run.child.kill("SIGKILL");
      throw new Error(`server not ready: ${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child: run.child,
    output: run.output,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      run.child.kill("SIGTERM");
      return run.exited;
    },
  };
}
