// What every peer server shares: its settings from the environment the benchmark sets, and
// listening on 127.0.0.1 until SIGTERM, exiting cleanly (so a --cpu-prof profile is written).
import type { RequestListener } from "node:http";
import { createServer } from "node:http";

/** A setting the benchmark always passes; its absence is a bug in servers.ts. */
export function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new TypeError(`${name} is not set (bench/servers.ts passes it)`);
  return value;
}

export function listen(handler: RequestListener): void {
  const server = createServer(handler);
  server.listen(Number(setting("PORT")), process.env.HOST ?? "127.0.0.1");
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}
