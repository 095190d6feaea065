// The load generator, in its own process so that its CPU is not the measured servers'.
// Runs one GroupLoad per IPC message and answers with every side's figures; exits with its
// parent.
import { performance } from "node:perf_hooks";
import autocannon, { type Request as CannonRequest } from "autocannon";
import { cpuTimeMs } from "./cpu.ts";
import {
  createdEtagPlaceholder,
  createdIdPlaceholder,
  type GroupFigures,
  type GroupLoad,
  type HttpLoad,
  type HttpRequest,
  type LoadReply,
  type LoadSpec,
  type SignInLoad,
  sliceOrder,
  startOffset,
} from "./load-spec.ts";
import { signIn } from "./sign-in.ts";
import { type Slice, Tally } from "./tally.ts";

process.on("disconnect", () => process.exit(0));
process.on("message", (group: GroupLoad) => {
  runGroup(group).then(
    (result) => reply({ result }),
    (error: unknown) =>
      reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

function reply(message: LoadReply): void {
  process.send?.(message);
}

async function runGroup(group: GroupLoad): Promise<GroupFigures> {
  const { sides, slices, warmupSeconds } = group;
  if (warmupSeconds > 0) {
    for (const side of sides) await runSlice(group, side, warmupSeconds, new Tally());
  }
  const tallies = sides.map(() => new Tally());
  const sliceSeconds = group.seconds / slices;
  for (let slice = 0; slice < slices; slice++) {
    for (const index of sliceOrder(sides.length, slice)) {
      await runSlice(group, sides[index]!, sliceSeconds, tallies[index]!);
    }
  }
  return { sides: tallies.map((tally) => tally.figures()) };
}

async function runSlice(
  group: GroupLoad,
  spec: LoadSpec,
  seconds: number,
  tally: Tally,
): Promise<void> {
  const pid = group.pids[spec.server];
  if (pid === undefined) throw new Error(`${spec.id}: no process named "${spec.server}"`);
  const { connections } = group;
  const cpuBefore = await cpuTimeMs(pid);
  const slice =
    spec.kind === "http"
      ? await cannon(spec, connections, seconds, tally)
      : await signIns(spec, connections, seconds, tally);
  tally.add({ ...slice, cpuMs: (await cpuTimeMs(pid)) - cpuBefore });
}

function cannon(
  spec: HttpLoad,
  connections: number,
  seconds: number,
  tally: Tally,
): Promise<Omit<Slice, "cpuMs">> {
  let connection = 0;
  const requests = spec.requests.map(toAutocannon);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections,
        duration: seconds,
        ...(spec.amount === undefined ? {} : { amount: spec.amount }),
        // autocannon stops at its first sample tick after the duration: tick often, so that
        // a slice lasts what it says.
        sampleInt: 50,
        requests,
        // Each connection starts at a different user, so that concurrent requests are for
        // different sessions (the BFF merges concurrent renewals of one session).
        setupClient(client) {
          const start = startOffset(connection++, connections, requests.length, spec.stride);
          client.setRequests([...requests.slice(start), ...requests.slice(0, start)]);
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
    // With an amount, autocannon ignores the duration: the seconds still bound the slice.
    if (spec.amount !== undefined) {
      const deadline = setTimeout(() => instance.stop(), seconds * 1000);
      instance.once("done", () => clearTimeout(deadline));
    }
  });
}

/** A request as autocannon takes it: what it created is kept in the connection's context. */
function toAutocannon({ captureId, ...request }: HttpRequest): CannonRequest {
  const usesCreated =
    request.path.includes(createdIdPlaceholder) ||
    Object.values(request.headers).some((value) => value.includes(createdEtagPlaceholder));
  return {
    ...request,
    ...(usesCreated
      ? {
          // Nothing created (the create failed, and counts as such): skip to the next turn.
          setupRequest: (built, context) => {
            const { createdId, createdEtag } = context;
            if (typeof createdId !== "string") return undefined;
            const etag = typeof createdEtag === "string" ? createdEtag : "";
            return {
              ...built,
              path: request.path.replace(createdIdPlaceholder, createdId),
              headers: Object.fromEntries(
                Object.entries(request.headers).map(([name, value]) => [
                  name,
                  value.replace(createdEtagPlaceholder, etag),
                ]),
              ),
            };
          },
        }
      : {}),
    ...(captureId
      ? {
          onResponse: (status, body, context, headers) => {
            const ok = status >= 200 && status < 300;
            context.createdId = ok ? idOf(body) : undefined;
            context.createdEtag = ok ? headers?.etag : undefined;
          },
        }
      : {}),
  };
}

function idOf(body: string): string | undefined {
  try {
    const { id } = JSON.parse(body) as { id?: unknown };
    return typeof id === "string" || typeof id === "number" ? encodeURIComponent(id) : undefined;
  } catch {
    return undefined;
  }
}

/** `connections` browsers signing in back to back until the time is up. */
async function signIns(
  spec: SignInLoad,
  connections: number,
  seconds: number,
  tally: Tally,
): Promise<Omit<Slice, "cpuMs">> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let next = 0;
  let failed = 0;
  const amount = spec.amount ?? Number.POSITIVE_INFINITY;
  const browser = async () => {
    while (performance.now() < end && next < amount) {
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
  await Promise.all(Array.from({ length: connections }, browser));
  return { seconds: (performance.now() - start) / 1000, statusCodes: {}, failed, errors: 0 };
}
