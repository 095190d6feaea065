// The load generator, in its own process so that its CPU is not the measured servers'.
// Runs one LoadSpec per IPC message and answers with its PhaseResult; exits with its parent.
import { performance } from "node:perf_hooks";
import autocannon, { type Result } from "autocannon";
import { LatencySamples } from "./latency.ts";
import type { HttpLoad, LoadReply, LoadSpec, Measured, SignInLoad } from "./load-spec.ts";
import { signIn } from "./sign-in.ts";

process.on("disconnect", () => process.exit(0));
process.on("message", (spec: LoadSpec) => {
  run(spec).then(
    (result) => reply({ result }),
    (error: unknown) =>
      reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

function reply(message: LoadReply): void {
  process.send?.(message);
}

function run(spec: LoadSpec): Promise<Measured> {
  return spec.kind === "http" ? runHttp(spec) : runSignIns(spec);
}

async function runHttp(spec: HttpLoad): Promise<Measured> {
  const samples = new LatencySamples();
  const result = await cannon(spec, samples);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
  );
  const ok = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith("2"))
    .reduce((sum, [, count]) => sum + count, 0);
  const [p50Ms = 0, p99Ms = 0] = samples.percentiles(50, 99);
  return {
    id: spec.id,
    title: spec.title,
    unit: "request",
    connections: spec.connections,
    seconds: result.duration,
    ok,
    failed: result.non2xx,
    errors: result.errors,
    statusCodes,
    perSecond: ok / result.duration,
    p50Ms,
    p99Ms,
  };
}

function cannon(spec: HttpLoad, samples: LatencySamples): Promise<Result> {
  let connection = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.seconds,
        requests: spec.requests,
        // Each connection starts at a different user, so that concurrent requests are for
        // different sessions (the BFF merges concurrent renewals of one session).
        setupClient(client) {
          const offset = Math.floor((connection++ * spec.requests.length) / spec.connections);
          const start = offset % spec.requests.length;
          client.setRequests([...spec.requests.slice(start), ...spec.requests.slice(0, start)]);
        },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("response", (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) samples.add(ms);
    });
  });
}

async function runSignIns(spec: SignInLoad): Promise<Measured> {
  const samples = new LatencySamples();
  const { ok, failed, seconds, firstFailure } = await signInLoop(spec, samples);
  if (firstFailure) process.stderr.write(`sign-in failed: ${firstFailure}\n`);
  const [p50Ms = 0, p99Ms = 0] = samples.percentiles(50, 99);
  return {
    id: spec.id,
    title: spec.title,
    unit: "sign-in",
    connections: spec.connections,
    seconds,
    ok,
    failed,
    errors: 0,
    statusCodes: {},
    perSecond: ok / seconds,
    p50Ms,
    p99Ms,
  };
}

/** `connections` browsers signing in back to back until the time is up. */
async function signInLoop(spec: SignInLoad, samples: LatencySamples) {
  const start = performance.now();
  const end = start + spec.seconds * 1000;
  let next = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const browser = async () => {
    while (performance.now() < end) {
      const upn = spec.upns[next++ % spec.upns.length]!;
      const began = performance.now();
      try {
        await signIn(spec.bffOrigin, upn);
        samples.add(performance.now() - began);
      } catch (error) {
        failed++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, browser));
  return { ok: samples.count, failed, seconds: (performance.now() - start) / 1000, firstFailure };
}
