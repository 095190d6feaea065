// The load generator, in its own process so that its CPU is not the measured servers'.
// Runs one PairedLoad per IPC message and answers with both sides' figures; exits with its
// parent.
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { cpuTimeMs } from "./cpu.ts";
import type {
  HttpLoad,
  LoadReply,
  LoadSpec,
  PairedFigures,
  PairedLoad,
  SignInLoad,
} from "./load-spec.ts";
import { signIn } from "./sign-in.ts";
import { type Slice, Tally } from "./tally.ts";

process.on("disconnect", () => process.exit(0));
process.on("message", (paired: PairedLoad) => {
  runPaired(paired).then(
    (result) => reply({ result }),
    (error: unknown) =>
      reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

function reply(message: LoadReply): void {
  process.send?.(message);
}

async function runPaired(paired: PairedLoad): Promise<PairedFigures> {
  const { target, baseline, slices, warmupSeconds } = paired;
  if (warmupSeconds > 0) {
    await runSlice(baseline, warmupSeconds, new Tally(), paired.pids);
    await runSlice(target, warmupSeconds, new Tally(), paired.pids);
  }
  const tallies = { target: new Tally(), baseline: new Tally() };
  const sliceSeconds = paired.seconds / slices;
  for (let i = 0; i < slices; i++) {
    const order =
      i % 2 === 0 ? (["baseline", "target"] as const) : (["target", "baseline"] as const);
    for (const side of order) {
      await runSlice(
        side === "target" ? target : baseline,
        sliceSeconds,
        tallies[side],
        paired.pids,
      );
    }
  }
  return { target: tallies.target.figures(), baseline: tallies.baseline.figures() };
}

async function runSlice(
  spec: LoadSpec,
  seconds: number,
  tally: Tally,
  pids: PairedLoad["pids"],
): Promise<void> {
  const pid = pids[spec.server];
  const cpuBefore = await cpuTimeMs(pid);
  const slice =
    spec.kind === "http" ? await cannon(spec, seconds, tally) : await signIns(spec, seconds, tally);
  tally.add({ ...slice, cpuMs: (await cpuTimeMs(pid)) - cpuBefore });
}

function cannon(spec: HttpLoad, seconds: number, tally: Tally): Promise<Omit<Slice, "cpuMs">> {
  let connection = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: seconds,
        // autocannon stops at its first sample tick after the duration: tick often, so that
        // a slice lasts what it says.
        sampleInt: 50,
        requests: spec.requests,
        // Each connection starts at a different user, so that concurrent requests are for
        // different sessions (the BFF merges concurrent renewals of one session).
        setupClient(client) {
          const offset = Math.floor((connection++ * spec.requests.length) / spec.connections);
          const start = offset % spec.requests.length;
          client.setRequests([...spec.requests.slice(start), ...spec.requests.slice(0, start)]);
        },
      },
      (error, result) => {
        if (error) return reject(error);
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
        );
        resolve({
          seconds: result.duration,
          statusCodes,
          failed: result.non2xx,
          errors: result.errors,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) tally.samples.add(ms);
    });
  });
}

/** `connections` browsers signing in back to back until the time is up. */
async function signIns(
  spec: SignInLoad,
  seconds: number,
  tally: Tally,
): Promise<Omit<Slice, "cpuMs">> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let next = 0;
  let failed = 0;
  const browser = async () => {
    while (performance.now() < end) {
      const upn = spec.upns[next++ % spec.upns.length]!;
      const began = performance.now();
      try {
        await signIn(spec.bffOrigin, upn);
        tally.samples.add(performance.now() - began);
      } catch (error) {
        if (failed++ === 0) process.stderr.write(`sign-in failed: ${String(error)}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, browser));
  return { seconds: (performance.now() - start) / 1000, statusCodes: {}, failed, errors: 0 };
}
