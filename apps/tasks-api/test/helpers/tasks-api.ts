// Starts the real Tasks API (app.inject) on a real SQLite file, against a real token issuer
// (the emulator or a test authority), with a controllable clock and every log line captured.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config.ts";

export interface TestClock {
  now: number;
  advance(ms: number): void;
}

export interface TestTasksApi {
  app: FastifyInstance;
  config: Config;
  clock: TestClock;
  logs: string[];
  request(
    token: string | undefined,
    options: {
      method?: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
      url: string;
      headers?: Record<string, string>;
      body?: unknown;
    },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTasksApi(options: {
  authority: string;
  dataDir: string;
  env?: Record<string, string | undefined>;
  clock?: TestClock;
  waitForAuthority?: boolean;
}): Promise<TestTasksApi> {
  const config = loadConfig(
    {
      TASKS_API_AUTHORITY: options.authority,
      TASKS_DATA_DIR: options.dataDir,
      IDP_TIMEOUT_MS: "3000",
      LOG_LEVEL: "debug",
      ...options.env,
    },
    { rootDir: "/nonexistent-root" },
  );
  const logs: string[] = [];
  const clock = options.clock ?? testClock();
  const app = await buildApp(config, {
    logger: { stream: { write: (line) => void logs.push(line) } },
    now: () => clock.now,
    idpRetryDelayMs: 50,
  });
  await app.ready();
  if (options.waitForAuthority !== false) await app.authority.whenLoaded();
  return {
    app,
    config,
    clock,
    logs,
    request(token, { method = "GET", url, headers = {}, body }) {
      return app.inject({
        method,
        url,
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined
          ? {}
          : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
      });
    },
    close: () => app.close(),
  };
}

export function testClock(): TestClock {
  return {
    now: Date.now(),
    advance(ms) {
      this.now += ms;
    },
  };
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}
