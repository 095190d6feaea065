// Ratios within each phase and the Markdown the results are read in. Pure functions of
// BenchResults, so that `--compare` can re-render any saved run.
import { cookieBudgetBytes, cookieHeaderBudgetBytes } from "./cookies.ts";
import { kib, mib, ms, percent, perSecond, ratio, us } from "./format.ts";
import { sideIds } from "./plan.ts";
import { figuresFail, hasFailures } from "./targets.ts";
import type { BenchResults, Figures, PhaseResult, SideResult, TargetStatus } from "./types.ts";

export interface Ratios {
  /** side / reference: below 1 is slower. */
  perSecond: number;
  /** side / reference: above 1 is slower. */
  p50: number;
  p99: number;
  /** Serving process's CPU per request, side / reference: above 1 costs more. */
  cpu: number;
}

export function referenceOf(phase: PhaseResult): SideResult | undefined {
  return phase.sides.find((side) => side.id === phase.reference);
}

/** A side against the reference side it was measured beside. */
export function ratios(side: Figures, reference: Figures | undefined): Ratios {
  return {
    perSecond: divide(side.perSecond, reference?.perSecond),
    p50: divide(side.p50Ms, reference?.p50Ms),
    p99: divide(side.p99Ms, reference?.p99Ms),
    cpu: divide(side.serverCpuUs, reference?.serverCpuUs),
  };
}

function divide(a: number, b: number | undefined): number {
  return b !== undefined && b > 0 ? a / b : Number.NaN;
}

/**
 * The lowest and highest throughput of bare Fastify (no logger) over the phases at
 * `connections`: how much the machine itself moved during the run.
 */
export function baselineSpread(
  phases: PhaseResult[],
  connections: number,
): { min: number; max: number } | undefined {
  const rates = phases
    .filter((phase) => phase.connections === connections)
    .flatMap((phase) => phase.sides.filter((side) => side.id === sideIds.bare))
    .map((side) => side.perSecond);
  return rates.length ? { min: Math.min(...rates), max: Math.max(...rates) } : undefined;
}

export function failureSummary(figures: Figures): string {
  if (!figuresFail(figures)) return "0";
  const codes = Object.entries(figures.statusCodes)
    .filter(([code]) => !code.startsWith("2"))
    .map(([code, count]) => `${code}×${count}`);
  const parts = [
    figures.failed ? `${figures.failed} failed${codes.length ? ` (${codes.join(", ")})` : ""}` : "",
    figures.errors ? `${figures.errors} connection errors` : "",
    figures.ok === 0 ? "no successful response" : "",
  ];
  return `**⚠ ${parts.filter(Boolean).join(", ")}**`;
}

const statusText: Record<TargetStatus, string> = {
  met: "met",
  missed: "**MISSED**",
  "not measured": "not measured",
};

export function renderMarkdown(results: BenchResults): string {
  const { machine, settings, phases, overhead, cookies, spa, memory } = results;
  const lines: string[] = [];
  lines.push(`## Benchmark, ${machine.date.slice(0, 16).replace("T", " ")} UTC`, "");
  lines.push(
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `${machine.platform}, commit ${machine.commit}; over the run, steal time ` +
      `${percent(machine.stealPercent, 1)} of all CPU time and processes outside the benchmark ` +
      `${percent(machine.otherCpuPercent, 0)} of the machine's CPU. Everything on 127.0.0.1: ` +
      "the emulator, the production BFF bundle, its peers and bare Fastify as servers, " +
      `autocannon in its own process; ${machine.pinning ?? "not pinned"}. Each ` +
      `phase measured its sides side by side: ${settings.seconds} s each in ` +
      `${settings.slices} slices, the sides taking turns (A B C, then C B A, …), after ` +
      `${settings.warmupSeconds} s of discarded warm-up of each, rotating through ` +
      `${settings.users} signed-in users' cookies; every ratio divides by the phase's ` +
      "reference side, measured beside it. Server CPU: user + system time of the process " +
      "that answered, per successful request.",
    "",
  );
  const failing = phases.filter(hasFailures);
  if (failing.length) {
    lines.push(
      `> **⚠ FAILURES in ${failing.map((phase) => phase.id).join(", ")}: those rows do not ` +
        "measure the intended path.**",
      "",
    );
  }
  for (const phase of phases) lines.push(...phaseTable(phase), "");

  const spread = baselineSpread(phases, settings.connections);
  if (spread) {
    lines.push(
      `Bare Fastify (no logger) alone ranged from ${perSecond(spread.min)} to ` +
        `${perSecond(spread.max)} requests per second over the run (${settings.connections} ` +
        "connections): that much the machine itself moved, which measuring side by side keeps " +
        "out of the ratios.",
      "",
    );
  }
  if (results.skipped.length) {
    lines.push(
      "Not measured in this run (each phase runs once its target exists):",
      "",
      ...results.skipped.map(
        (skipped) => `- **${skipped.title}** (\`${skipped.id}\`): ${skipped.reason}`,
      ),
      "",
    );
  }
  lines.push(
    `BFF's own overhead on GET /api/me: **${ms(overhead.serialMs)} ms** p50 with one ` +
      `connection, ${ms(overhead.underLoadMs)} ms under load (${settings.connections} ` +
      `connections, includes queueing). Method: ${overhead.method}`,
    "",
    "| target | goal | measured | |",
    "|---|---|---|---|",
    ...results.targets.map(
      (t) => `| ${t.name} | ${t.goal} | ${t.actual} | ${statusText[t.status]} |`,
    ),
    "",
  );
  const { quietLog } = results;
  lines.push(
    `Request logging off: the BFF started with ${quietLog.setting} wrote ${quietLog.lines} log ` +
      `lines for the ${quietLog.requests} requests it answered (counted on its stdout).`,
    "",
    `BFF resident memory: ${mib(memory.readyRssBytes)} once ready, ` +
      `**${mib(memory.firstPassRssBytes)}** after the measured phases, ` +
      `**${mib(memory.secondPassRssBytes)}** after its loaded sides answered as many requests ` +
      `once more (peak ${mib(memory.peakRssBytes)}).`,
    "",
  );
  if (memory.repeated.length) {
    lines.push(
      "| second pass | requests asked → answered | per second, first → second | server CPU µs each, first → second |",
      "|---|--:|--:|--:|",
      ...memory.repeated.map(
        ({ phase, side, amount, first, second }) =>
          `| ${phase} / ${side} | ${amount} → ${second.ok + second.failed} | ` +
          `${perSecond(first.perSecond)} → ${perSecond(second.perSecond)} | ` +
          `${us(first.serverCpuUs)} → ${us(second.serverCpuUs)} |`,
      ),
      "",
    );
  }
  lines.push(
    `Session cookies of a typical session (budget: no cookie over ${cookieBudgetBytes} bytes, ` +
      `the Cookie header under ${cookieHeaderBudgetBytes / 1024} KB):`,
    "",
    "| cookie | name=value bytes | Set-Cookie line bytes |",
    "|---|--:|--:|",
    ...cookies.cookies.map((c) => `| \`${c.name}\` | ${c.pairBytes} | ${c.setCookieBytes} |`),
    `| whole \`Cookie\` header | ${cookies.headerBytes} | |`,
    "",
  );
  if (spa) {
    lines.push(
      "The SPA's initial download (the files index.html loads), gzip at the default level:",
      "",
      "| file | bytes | gzip |",
      "|---|--:|--:|",
      ...[...spa.js, ...spa.css].map((a) => `| \`${a.file}\` | ${a.bytes} | ${a.gzipBytes} |`),
      `| **JavaScript** | | **${kib(spa.jsGzipBytes)}** |`,
      `| **CSS** | | **${kib(spa.cssGzipBytes)}** |`,
      "",
    );
  } else {
    lines.push("The SPA is not built (apps/web/dist/index.html missing): no size measured.", "");
  }
  if (results.notes.length) lines.push(...results.notes.map((note) => `- ${note}`), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

function phaseTable(phase: PhaseResult): string[] {
  const reference = referenceOf(phase);
  const connections = `${phase.connections} connection${phase.connections === 1 ? "" : "s"}`;
  return [
    `### ${phase.title} (${connections}; steal ${percent(phase.stealPercent, 1)}, other processes ${percent(phase.otherCpuPercent, 0)})`,
    "",
    `| server | × ${reference?.title ?? phase.reference} | per second | p50 ms | p99 ms | server CPU µs each | × CPU | failures |`,
    "|---|--:|--:|--:|--:|--:|--:|---|",
    ...phase.sides.map((side) => {
      const r = ratios(side, reference);
      const unit = side.unit === "sign-in" ? " sign-ins" : "";
      const name = side.id === phase.reference ? `**${side.title}** (reference)` : side.title;
      return (
        `| ${name} | ${ratio(r.perSecond)} | ${perSecond(side.perSecond)}${unit} | ` +
        `${ms(side.p50Ms)} | ${ms(side.p99Ms)} | ${us(side.serverCpuUs)} (${side.server}) | ` +
        `${ratio(r.cpu)} | ${failureSummary(side)} |`
      );
    }),
  ];
}

/** Side by side: each side's ratios to its own run's reference, then the absolute sizes. */
export function renderComparison(
  old: BenchResults,
  current: BenchResults,
  labels: { old: string; new: string },
): string {
  const lines = [
    `## Compared: ${labels.old} (${old.machine.date}, ${old.machine.commit}) → ${labels.new} (${current.machine.date}, ${current.machine.commit})`,
    "",
  ];
  if (old.machine.cores !== current.machine.cores || old.machine.cpu !== current.machine.cpu) {
    lines.push(
      `> Different machines: ${old.machine.cores} × ${old.machine.cpu} → ${current.machine.cores} × ${current.machine.cpu}.`,
      "",
    );
  }
  lines.push(
    `Steal time over the run: ${percent(old.machine.stealPercent, 1)} → ` +
      `${percent(current.machine.stealPercent, 1)}; processes outside the benchmark: ` +
      `${percent(old.machine.otherCpuPercent, 0)} → ${percent(current.machine.otherCpuPercent, 0)} of the CPU.`,
    "",
    "| phase / server | per second × reference | p50 × reference | p99 × reference | server CPU × reference |",
    "|---|--:|--:|--:|--:|",
  );
  const keyed = (results: BenchResults) =>
    new Map(
      results.phases.flatMap((phase) =>
        phase.sides
          .filter((side) => side.id !== phase.reference)
          .map((side) => [`${phase.id}/${side.id}`, { phase, side }] as const),
      ),
    );
  const before = keyed(old);
  const after = keyed(current);
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const a = before.get(key);
    const b = after.get(key);
    const ra = a ? ratios(a.side, referenceOf(a.phase)) : undefined;
    const rb = b ? ratios(b.side, referenceOf(b.phase)) : undefined;
    const pair = (name: keyof Ratios) =>
      `${ra ? ratio(ra[name]) : "–"} → ${rb ? ratio(rb[name]) : "–"}${change(ra?.[name], rb?.[name])}`;
    const { phase, side } = (b ?? a)!;
    lines.push(
      `| ${phase.title} / ${side.title} | ${pair("perSecond")} | ${pair("p50")} | ${pair("p99")} | ${pair("cpu")} |`,
    );
  }
  const largest = (results: BenchResults) =>
    Math.max(0, ...results.cookies.cookies.map((cookie) => cookie.pairBytes));
  const rows: [string, (r: BenchResults) => number | undefined, (v: number) => string][] = [
    [
      "BFF overhead on /api/me, p50 (1 connection)",
      (r) => r.overhead.serialMs,
      (v) => `${ms(v)} ms`,
    ],
    ["Largest session cookie", largest, (v) => `${v} B`],
    ["Cookie header", (r) => r.cookies.headerBytes, (v) => `${v} B`],
    ["SPA JavaScript, gzip", (r) => r.spa?.jsGzipBytes, kib],
    ["SPA CSS, gzip", (r) => r.spa?.cssGzipBytes, kib],
    ["BFF resident memory after the measured phases", (r) => r.memory.firstPassRssBytes, mib],
    ["BFF resident memory after the second pass", (r) => r.memory.secondPassRssBytes, mib],
  ];
  lines.push("", "| measure | old | new |", "|---|--:|--:|");
  for (const [name, read, format] of rows) {
    const a = read(old);
    const b = read(current);
    lines.push(
      `| ${name} | ${a === undefined ? "–" : format(a)} | ${b === undefined ? "–" : format(b)}${change(a, b)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** " (+12%)" when both values exist and differ. */
export function change(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined || !(before > 0) || !Number.isFinite(after))
    return "";
  const delta = after / before - 1;
  if (Math.abs(delta) < 0.005) return "";
  return ` (${delta > 0 ? "+" : "−"}${Math.round(Math.abs(delta) * 100)}%)`;
}
