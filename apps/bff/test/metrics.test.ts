import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { signInAs } from "@entra-bff/entra-emulator";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../src/metrics.ts";
import { listenMetrics } from "../src/metrics-server.ts";
import {
  CookieJar,
  csrf,
  emulatorEnv,
  followCallback,
  json,
  signIn,
  startBff,
  useEmulatorAndBff,
} from "./helpers/bff.ts";
import { freePort } from "./helpers/free-port.ts";

const servers = useEmulatorAndBff();
let metricsServer: FastifyInstance | undefined;

// vitest runs after-hooks last-registered first, so this closes before the BFF it scrapes.
afterAll(async () => {
  await metricsServer?.close();
});

async function scrape(server: FastifyInstance): Promise<Response> {
  const { port } = server.server.address() as { port: number };
  return fetch(`http://127.0.0.1:${port}/metrics`);
}

describe("metrics listener", () => {
  it("counts sign-ins, failures by reason, renewals by outcome and Graph latency by status", async () => {
    const jar = new CookieJar();
    expect((await signIn(servers.bff, jar, 0)).statusCode).toBe(303);
    const forged = await servers.bff.request(new CookieJar(), {
      url: "/auth/callback?code=forged&state=forged",
    });
    expect(forged.headers.location).toBe("http://localhost:3000/?authError=state_mismatch");

    const me = () => servers.bff.request(jar, { url: "/api/me", headers: csrf });
    expect((await me()).statusCode).toBe(200);
    // Expired access token: renewed, then Graph again.
    servers.bff.clock.advance(3600_000);
    expect((await me()).statusCode).toBe(200);
    servers.emulator.faults.add({
      target: "graph",
      kind: "throttled",
      retryAfterSeconds: 7,
      times: 1,
    });
    expect(json(await me())).toMatchObject({ code: "graph_unavailable" });
    // A refused renewal ends the session.
    servers.bff.clock.advance(3600_000);
    servers.emulator.faults.add({
      target: "token",
      kind: "invalid_grant",
      grantType: "refresh_token",
      times: 1,
    });
    expect(json(await me())).toMatchObject({ code: "session_expired" });

    metricsServer = await listenMetrics(
      { host: "127.0.0.1", metricsPort: 0 },
      servers.bff.app.metrics,
      servers.bff.app.log,
    );
    const response = await scrape(metricsServer!);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const lines = (await response.text()).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "# TYPE entra_bff_sign_ins_total counter",
        "entra_bff_sign_ins_total 1",
        "# TYPE entra_bff_sign_in_failures_total counter",
        'entra_bff_sign_in_failures_total{reason="state_mismatch"} 1',
        "# TYPE entra_bff_token_renewals_total counter",
        'entra_bff_token_renewals_total{outcome="success"} 1',
        'entra_bff_token_renewals_total{outcome="failure"} 1',
        "# TYPE entra_bff_graph_request_duration_seconds histogram",
        'entra_bff_graph_request_duration_seconds_bucket{status="200",le="+Inf"} 2',
        'entra_bff_graph_request_duration_seconds_count{status="200"} 2',
        'entra_bff_graph_request_duration_seconds_bucket{status="429",le="+Inf"} 1',
        'entra_bff_graph_request_duration_seconds_count{status="429"} 1',
        "# TYPE process_resident_memory_bytes gauge",
      ]),
    );
    expect(lines.filter((l) => l.startsWith("entra_bff_sign_in_failures_total{"))).toHaveLength(1);
    expect(lines.some((l) => /^process_resident_memory_bytes [1-9]\d*$/.test(l))).toBe(true);
    const sum = lines.find((l) =>
      l.startsWith('entra_bff_graph_request_duration_seconds_sum{status="200"}'),
    );
    expect(Number(sum?.split(" ")[1])).toBeGreaterThan(0);

    // Only GET /metrics there; the app's routes are not.
    const { port } = metricsServer!.server.address() as { port: number };
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: "POST" })).status).toBe(404);
  });

  it("counts sign-outs (here and at Entra) and 401s that need the user to sign in again", async () => {
    const own = await startBff(servers.emulator);
    try {
      const jar = new CookieJar();
      await signIn(own, jar, 1);
      servers.emulator.faults.add({ target: "graph", kind: "claims_challenge", times: 2 });
      expect(json(await own.request(jar, { url: "/api/me", headers: csrf })).code).toBe(
        "claims_challenge",
      );
      own.clock.advance(3600_000);
      servers.emulator.faults.add({ target: "token", kind: "consent_required", times: 1 });
      expect(json(await own.request(jar, { url: "/api/me", headers: csrf })).code).toBe(
        "consent_required",
      );
      await own.request(jar, {
        method: "POST",
        url: "/auth/logout",
        headers: { ...csrf, origin: "http://localhost:3000" },
      });
      // Entra's session id is the callback's session_state (and the ID token's sid).
      const other = new CookieJar();
      const login = await own.request(other, { url: "/auth/login" });
      const { location } = await signInAs(String(login.headers.location), 0);
      await followCallback(own, other, location);
      const idpSid = new URL(location).searchParams.get("session_state");
      await own.request(undefined, { url: `/auth/frontchannel-logout?sid=${idpSid}` });
      // One nobody signed in with is not a sign-out.
      await own.request(undefined, { url: "/auth/frontchannel-logout?sid=made-up" });

      const text = own.app.metrics.render();
      expect(text.split("\n")).toEqual(
        expect.arrayContaining([
          "# TYPE entra_bff_sign_outs_total counter",
          'entra_bff_sign_outs_total{via="logout"} 1',
          'entra_bff_sign_outs_total{via="frontchannel"} 1',
          "# TYPE entra_bff_interaction_required_total counter",
          'entra_bff_interaction_required_total{code="claims_challenge"} 1',
          'entra_bff_interaction_required_total{code="consent_required"} 1',
        ]),
      );
    } finally {
      servers.emulator.faults.clear();
      await own.close();
    }
  });

  it("is off without METRICS_PORT, and the app itself has no /metrics", async () => {
    expect(servers.bff.config.metricsPort).toBeUndefined();
    expect(
      await listenMetrics(servers.bff.config, servers.bff.app.metrics, servers.bff.app.log),
    ).toBeUndefined();
    const response = await servers.bff.request(undefined, { url: "/metrics" });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ code: "not_found", message: "No route GET /metrics." });
  });
});

describe("histogram", () => {
  it("puts an observation in every bucket at or above it", () => {
    const metrics = createMetrics();
    metrics.graphRequest("200", 0.07);
    metrics.graphRequest("timeout", 12);
    const text = metrics.render();
    const series = 'entra_bff_graph_request_duration_seconds_bucket{status="200"';
    expect(text).toContain(`${series},le="0.05"} 0\n`);
    expect(text).toContain(`${series},le="0.1"} 1\n`);
    expect(text).toContain(`${series},le="10"} 1\n`);
    expect(text).toContain(
      'entra_bff_graph_request_duration_seconds_bucket{status="timeout",le="10"} 0\n',
    );
    expect(text).toContain(
      'entra_bff_graph_request_duration_seconds_bucket{status="timeout",le="+Inf"} 1\n',
    );
    expect(text).toContain('entra_bff_graph_request_duration_seconds_sum{status="timeout"} 12\n');
    // Renewal outcomes are present from the start, so rate() has a baseline.
    expect(text).toContain('entra_bff_token_renewals_total{outcome="failure"} 0\n');
  });
});

// server.ts itself: the listener exists only when configured and closes on SIGTERM.
describe("server.ts", { timeout: 30_000 }, () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });
  const serverFile = fileURLToPath(new URL("../src/server.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

  async function run(env: Record<string, string>) {
    const child: ChildProcess = spawn(tsx, [serverFile], {
      env: { ...process.env, ...emulatorEnv(servers.emulator), HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(child);
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const deadline = Date.now() + 15_000;
    while (!output.includes(`:${env.PORT}"`)) {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { child, exited, output: () => output };
  }

  const listening = (output: string) =>
    output
      .split("\n")
      .filter((line) => line.includes("Server listening at"))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);

  it("listens on METRICS_PORT when set and closes both listeners on SIGTERM", async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const server = await run({ PORT: String(port), METRICS_PORT: String(metricsPort) });
    // The metrics listener starts right after the app's.
    const deadline = Date.now() + 5_000;
    while (listening(server.output()).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listening(server.output()).sort()).toEqual(
      [
        `Server listening at http://127.0.0.1:${metricsPort}`,
        `Server listening at http://127.0.0.1:${port}`,
      ].sort(),
    );
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(await metrics.text()).toContain("entra_bff_sign_ins_total 0\n");
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });

  it("opens no metrics listener without METRICS_PORT", async () => {
    const port = await freePort();
    const server = await run({ PORT: String(port) });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(listening(server.output())).toEqual([`Server listening at http://127.0.0.1:${port}`]);
  });
});
