// Ratios against the baseline, the targets, and the Markdown the results are read in.
// Pure functions of BenchResults, so that `--compare` can re-render any saved run.
import { cookieBudgetBytes, cookieHeaderBudgetBytes, oversizedCookies } from "./cookies.ts";
import type { BenchResults, Figures, PhaseResult, TargetCheck } from "./types.ts";

export interface Ratios {
  /** target / baseline: below 1 is slower. */
  perSecond: number;
  /** target / baseline: above 1 is slower. */
  p50: number;
  p99: number;
  /** Serving process's CPU per request, target / baseline: above 1 costs more. */
  cpu: number;
}

/** A phase against the baseline it was interleaved with. */
export function ratios(phase: PhaseResult): Ratios {
  const { baseline } = phase;
  return {
    perSecond: divide(phase.perSecond, baseline.perSecond),
    p50: divide(phase.p50Ms, baseline.p50Ms),
    p99: divide(phase.p99Ms, baseline.p99Ms),
    cpu: divide(phase.serverCpuUs, baseline.serverCpuUs),
  };
}

function divide(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}

function figuresFail(figures: Figures): boolean {
  return figures.failed > 0 || figures.errors > 0 || figures.ok === 0;
}

/** Whether the phase, or the baseline it was paired with, had a failure or no success. */
export function hasFailures(phase: PhaseResult): boolean {
  return figuresFail(phase) || figuresFail(phase.baseline);
}

/**
 * The lowest and highest baseline throughput over the phases at `connections`: how much the
 * machine itself moved during the run.
 */
export function baselineSpread(
  phases: PhaseResult[],
  connections: number,
): { min: number; max: number } | undefined {
  const rates = phases
    .filter((phase) => phase.connections === connections)
    .map((phase) => phase.baseline.perSecond);
  return rates.length ? { min: Math.min(...rates), max: Math.max(...rates) } : undefined;
}

export const sessionThroughputTarget = 0.7;
export const overheadTargetMs = 2;

export function checkTargets(
  results: Pick<BenchResults, "phases" | "overhead" | "cookies">,
): TargetCheck[] {
  const session = results.phases.find((phase) => phase.id === "session");
  const sessionRatio = session ? ratios(session).perSecond : Number.NaN;
  const largest = Math.max(0, ...results.cookies.cookies.map((cookie) => cookie.pairBytes));
  const oversized = oversizedCookies(results.cookies);
  return [
    {
      name: "GET /auth/session throughput",
      target: `≥ ${percent(sessionThroughputTarget)} of the baseline`,
      actual: percent(sessionRatio),
      pass: sessionRatio >= sessionThroughputTarget && !(session && hasFailures(session)),
    },
    {
      name: "BFF's own overhead on GET /api/me (Graph's time excluded)",
      target: `≤ ${overheadTargetMs} ms p50`,
      actual: `${ms(results.overhead.serialMs)} ms`,
      pass: results.overhead.serialMs <= overheadTargetMs,
    },
    {
      name: "Largest session cookie (name=value)",
      target: `≤ ${cookieBudgetBytes} bytes`,
      actual: `${largest} bytes${oversized.length ? ` (over: ${oversized.join(", ")})` : ""}`,
      pass: oversized.length === 0 && results.cookies.cookies.length > 0,
    },
    {
      name: "Cookie header of a session",
      target: `< ${cookieHeaderBudgetBytes} bytes`,
      actual: `${results.cookies.headerBytes} bytes`,
      pass: results.cookies.headerBytes < cookieHeaderBudgetBytes,
    },
  ];
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : "n/a";
}

/** Two decimals; two significant digits below 0.1, so that small ratios do not read 0.00. */
export function ratio(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value >= 0.1 || value === 0 ? value.toFixed(2) : value.toPrecision(2);
}

export function percent(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)}%` : "n/a";
}

function perSecond(value: number): string {
  return value >= 100 ? integer.format(value) : oneDecimal.format(value);
}

function kib(bytes: number): string {
  return `${oneDecimal.format(bytes / 1024)} KiB`;
}

function mib(bytes: number): string {
  return `${oneDecimal.format(bytes / 2 ** 20)} MiB`;
}

export function failureSummary(phase: PhaseResult): string {
  if (!hasFailures(phase)) return "0";
  const describe = (figures: Figures, prefix: string) => {
    const codes = Object.entries(figures.statusCodes)
      .filter(([code]) => !code.startsWith("2"))
      .map(([code, count]) => `${code}×${count}`);
    return [
      figures.failed
        ? `${prefix}${figures.failed} failed${codes.length ? ` (${codes.join(", ")})` : ""}`
        : "",
      figures.errors ? `${prefix}${figures.errors} connection errors` : "",
      figures.ok === 0 ? `${prefix}no successful response` : "",
    ];
  };
  const parts = [...describe(phase, ""), ...describe(phase.baseline, "baseline: ")];
  return `**⚠ ${parts.filter(Boolean).join(", ")}**`;
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, settings, phases, overhead, cookies, spa, bff } = results;
  const lines: string[] = [];
  lines.push(`## Benchmark, ${machine.date.slice(0, 16).replace("T", " ")} UTC`, "");
  lines.push(
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `${machine.platform}, commit ${machine.commit}. Everything on 127.0.0.1: the emulator, ` +
      "the production BFF bundle and the baseline (a bare Fastify JSON route with the BFF's " +
      "server settings) as servers, autocannon in its own process. Each phase ran for " +
      `${settings.seconds} s in ${settings.slices} slices alternating with as many slices of ` +
      `the baseline at the same connection count, after ${settings.warmupSeconds} s of ` +
      `discarded warm-up of each, rotating through ${settings.users} signed-in users' cookies; ` +
      "each ratio divides by that interleaved baseline. Server CPU: user + system time of " +
      "the process that answered, per successful request.",
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
  lines.push(
    "| phase | conns | per second | baseline per second | × baseline | p50 ms | × baseline | p99 ms | × baseline | server CPU µs each | × baseline | failures |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  );
  for (const phase of phases) {
    const r = ratios(phase);
    const unit = phase.unit === "sign-in" ? " sign-ins" : "";
    lines.push(
      `| ${phase.title} | ${phase.connections} | ${perSecond(phase.perSecond)}${unit} | ` +
        `${perSecond(phase.baseline.perSecond)} | ${ratio(r.perSecond)} | ${ms(phase.p50Ms)} | ` +
        `${ratio(r.p50)} | ${ms(phase.p99Ms)} | ${ratio(r.p99)} | ` +
        `${integer.format(phase.serverCpuUs)} (${phase.server}) | ${ratio(r.cpu)} | ` +
        `${failureSummary(phase)} |`,
    );
  }
  const spread = baselineSpread(phases, settings.connections);
  if (spread) {
    lines.push(
      "",
      `The baseline alone ranged from ${perSecond(spread.min)} to ${perSecond(spread.max)} ` +
        `requests per second over the run (${settings.connections} connections): that much ` +
        "the machine itself moved, which the interleaving keeps out of the ratios.",
    );
  }
  lines.push(
    "",
    `BFF's own overhead on GET /api/me: **${ms(overhead.serialMs)} ms** p50 with one ` +
      `connection, ${ms(overhead.underLoadMs)} ms under load (${settings.connections} ` +
      `connections, includes queueing). Method: ${overhead.method}`,
    "",
    "| target | goal | measured | |",
    "|---|---|---|---|",
    ...results.targets.map(
      (t) => `| ${t.name} | ${t.target} | ${t.actual} | ${t.pass ? "PASS" : "**MISS**"} |`,
    ),
    "",
    "Session cookies of a typical session (budget: no cookie over 4096 bytes, the Cookie header under 8 KB):",
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
  lines.push(
    `BFF resident memory after the run: **${mib(bff.rssBytes)}** (${mib(bff.startRssBytes)} ` +
      `once ready, peak ${mib(bff.peakRssBytes)}).`,
  );
  if (results.notes.length) lines.push("", ...results.notes.map((note) => `- ${note}`));
  return `${lines.join("\n")}\n`;
}

/** Side by side: each phase's ratios to its own run's baseline, then the absolute sizes. */
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
    "| phase | per second × baseline | p50 × baseline | p99 × baseline | server CPU × baseline |",
    "|---|--:|--:|--:|--:|",
  );
  const ids = [...new Set([...current.phases, ...old.phases].map((phase) => phase.id))];
  for (const id of ids) {
    const before = old.phases.find((phase) => phase.id === id);
    const after = current.phases.find((phase) => phase.id === id);
    const a = before ? ratios(before) : undefined;
    const b = after ? ratios(after) : undefined;
    const pair = (key: keyof Ratios) =>
      `${a ? ratio(a[key]) : "–"} → ${b ? ratio(b[key]) : "–"}${change(a?.[key], b?.[key])}`;
    lines.push(
      `| ${(after ?? before)!.title} | ${pair("perSecond")} | ${pair("p50")} | ${pair("p99")} | ${pair("cpu")} |`,
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
    ["BFF resident memory after the run", (r) => r.bff.rssBytes, mib],
  ];
  lines.push("", "| measure | old | new |", "|---|--:|--:|");
  for (const [name, read, format] of rows) {
    const before = read(old);
    const after = read(current);
    lines.push(
      `| ${name} | ${before === undefined ? "–" : format(before)} | ${after === undefined ? "–" : format(after)}${change(before, after)} |`,
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
