// Starts the real BFF (app.inject) against a real emulator, with a controllable clock and
// every log line captured.
import { randomBytes } from "node:crypto";
import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  signInAs,
} from "@entra-bff/entra-emulator";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, afterEach, beforeAll } from "vitest";
import { buildApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import type { Identity } from "../../src/session/identity.ts";
import { CookieJar } from "./cookie-jar.ts";

export const csrf = { "x-csrf": "1" } as const;

export interface TestClock {
  now: number;
  advance(ms: number): void;
}

export interface TestBff {
  app: FastifyInstance;
  config: Config;
  clock: TestClock;
  /** Every JSON log line the app wrote. */
  logs: string[];
  /** Every response body and Set-Cookie the tests saw through `request`. */
  responses: LightMyRequestResponse[];
  request(
    jar: CookieJar | undefined,
    options: {
      method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
      url: string;
      headers?: Record<string, string>;
      payload?: string | Buffer;
    },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function sessionKey(): string {
  return randomBytes(32).toString("base64");
}

export function emulatorEnv(emulator: Emulator): Record<string, string> {
  const client = emulator.clients[0]!;
  return {
    ENTRA_AUTHORITY: emulator.authority,
    ENTRA_CLIENT_ID: client.clientId,
    ENTRA_CLIENT_SECRET: client.clientSecret ?? client.secrets?.[0]?.value ?? "",
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    PUBLIC_ORIGIN: "http://localhost:3000",
    SESSION_KEYS: sessionKey(),
    IDP_TIMEOUT_MS: "3000",
    GRAPH_TIMEOUT_MS: "3000",
    LOG_LEVEL: "debug",
  };
}

/**
 * How the BFF's tests run the emulator: stricter than Entra where the BFF promises more
 * (PKCE S256 on every sign-in); access tokens of exactly an hour (Entra's vary from 60 to
 * 90 minutes), so moving the clock an hour expires them; and with EMULATOR_HTTPS_PAGES=1
 * its pages on https (as `pnpm emulator --https-pages`), so the suite also runs in the mode
 * strict clients need.
 */
export const bffTestEmulator: EmulatorOptions = {
  port: 0,
  requirePkce: true,
  accessTokenLifetimeSeconds: 3600,
  httpsPages: process.env.EMULATOR_HTTPS_PAGES === "1",
};

/** The clock each emulator started by `useEmulatorAndBff` runs on. */
const emulatorClocks = new WeakMap<Emulator, TestClock>();

/** A clock tests move instead of sleeping; share one between the emulator and the BFF. */
export function testClock(): TestClock {
  return {
    now: Date.now(),
    advance(ms) {
      this.now += ms;
    },
  };
}

export async function startBff(
  emulator: Emulator,
  env: Record<string, string | undefined> = {},
  options: { waitForMetadata?: boolean; idpRetryDelayMs?: number; clock?: TestClock } = {},
): Promise<TestBff> {
  const config = loadConfig({ ...emulatorEnv(emulator), ...env });
  const logs: string[] = [];
  const responses: LightMyRequestResponse[] = [];
  // Every BFF of an emulator shares its clock unless told otherwise.
  const clock = options.clock ?? emulatorClocks.get(emulator) ?? testClock();
  const app = await buildApp(config, {
    logger: { stream: { write: (line) => void logs.push(line) } },
    now: () => clock.now,
    ...(options.idpRetryDelayMs === undefined ? {} : { idpRetryDelayMs: options.idpRetryDelayMs }),
  });
  await app.ready();
  if (options.waitForMetadata !== false) await app.idp.whenLoaded();
  return {
    app,
    config,
    clock,
    logs,
    responses,
    async request(jar, { method = "GET", url, headers = {}, payload }) {
      const response = await app.inject({
        method,
        url,
        headers: { ...jar?.headers(), ...headers },
        ...(payload === undefined ? {} : { payload }),
      });
      responses.push(response);
      jar?.store(response);
      return response;
    },
    close: () => app.close(),
  };
}

export interface EmulatorAndBff {
  readonly emulator: Emulator;
  readonly bff: TestBff;
}

/**
 * Shares one emulator (random port) and one BFF across a test file, on one clock: moving
 * `bff.clock` moves the emulator's too, so tokens it issues afterwards are current for the
 * BFF (as for two servers in production). Faults are cleared after each test so that one
 * test's fault never fails the next. The servers exist only once the file's `beforeAll` has
 * run: read `emulator` and `bff` in hooks and tests, not at load time.
 */
export function useEmulatorAndBff(
  options: { emulator?: EmulatorOptions; env?: Record<string, string | undefined> } = {},
): EmulatorAndBff {
  let emulator: Emulator | undefined;
  let bff: TestBff | undefined;
  beforeAll(async () => {
    const clock = testClock();
    emulator = await createEmulator({
      ...bffTestEmulator,
      now: () => clock.now,
      ...options.emulator,
    });
    emulatorClocks.set(emulator, clock);
    bff = await startBff(emulator, options.env, { clock });
  });
  afterAll(async () => {
    await bff?.close();
    await emulator?.close();
  });
  afterEach(() => emulator?.faults.clear());
  const notStarted = (name: string) =>
    new Error(`${name} is not running: read it inside a test or hook, after beforeAll`);
  return {
    get emulator() {
      if (emulator === undefined) throw notStarted("the emulator");
      return emulator;
    },
    get bff() {
      if (bff === undefined) throw notStarted("the BFF");
      return bff;
    },
  };
}

/**
 * Signs `user` in through the emulator's sign-in form, over HTTP like a browser.
 * Returns the callback's response (a 303 on success).
 */
export async function signIn(
  bff: TestBff,
  jar: CookieJar,
  user: number | string,
  returnTo = "/",
): Promise<LightMyRequestResponse> {
  const login = await bff.request(jar, {
    url: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
  });
  if (login.statusCode !== 302)
    throw new Error(`/auth/login answered ${login.statusCode}: ${login.body}`);
  const callback = (await signInAs(login.headers.location as string, user)).location;
  return followCallback(bff, jar, callback);
}

/** Sends the browser's request for the redirect URI the identity provider chose. */
export function followCallback(
  bff: TestBff,
  jar: CookieJar,
  callbackUrl: string,
): Promise<LightMyRequestResponse> {
  const url = new URL(callbackUrl);
  return bff.request(jar, { url: `${url.pathname}${url.search}` });
}

/**
 * What a sealed cookie value holds, opened with the app's own keys (for assertions about
 * what the BFF stores; a browser can do no such thing). `name` picks the jar's cookie;
 * token cookies are joined from their chunks.
 */
export function openCookie<T = Record<string, unknown>>(
  bff: TestBff,
  value: string | undefined,
): T | undefined {
  if (value === undefined) return undefined;
  return bff.app.cookieCodec.open(value, bff.app.log, (data): data is T => typeof data === "object")
    ?.payload;
}

/** The identity the jar's identity cookie holds. */
export function identityIn(bff: TestBff, jar: CookieJar, name = "bff-session") {
  return openCookie<{ identity: Identity }>(bff, jar.cookies.get(name))?.identity;
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

export { CookieJar };
