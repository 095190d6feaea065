// Readable terminal output for `pnpm dev` and `pnpm preview`: the servers log pino JSON (the
// production format, unchanged), and this turns each line into a short one for a person.
// The BFF logs each request once ("request completed" with the request, the status and the
// time); a server on Fastify's defaults (the Tasks API) logs "incoming request" first, which
// is held back until its "request completed" (matched by `reqId`). Either way a request is
// one line: `GET /auth/session 200 1.3 ms`.

const levelNames = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
/** Fields every line has, or that the request line already shows. */
const shown = new Set([
  "level",
  "time",
  "pid",
  "hostname",
  "msg",
  "reqId",
  "req",
  "res",
  "responseTime",
]);
const maxValueLength = 160;

/**
 * Returns `format(line)`: the text to print for one output line of a server (possibly
 * several lines, for a stack), or `undefined` for a line held back. Lines that are not JSON
 * come back unchanged. `maxPending` bounds the requests waiting for their completion line
 * (an aborted request never gets one).
 */
export function createDevLogFormatter({ color = false, maxPending = 500 } = {}) {
  const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const pending = new Map();

  function requestLine(req, res, responseTime, level) {
    const status = res?.statusCode;
    const statusColor = status >= 500 ? "31" : status >= 400 ? "33" : status >= 300 ? "36" : "32";
    const parts = [
      req ? `${req.method} ${req.url}` : "request",
      status === undefined ? "" : paint(statusColor, String(status)),
      typeof responseTime === "number" ? paint("2", `${responseTime.toFixed(1)} ms`) : "",
    ];
    return `${levelTag(level)}${parts.filter(Boolean).join(" ")}`;
  }

  function levelTag(level) {
    if (level === undefined || level === 30) return "";
    const name = (levelNames[level] ?? String(level)).toUpperCase();
    return `${paint(level >= 50 ? "1;31" : level >= 40 ? "33" : "2", name)} `;
  }

  return function format(line) {
    const entry = parseJsonObject(line);
    if (!entry) return line;
    const { level, msg, reqId, req, res, responseTime } = entry;

    if (req && !res && msg === "incoming request" && reqId !== undefined) {
      if (pending.size >= maxPending) pending.delete(pending.keys().next().value);
      pending.set(reqId, req);
      return undefined;
    }
    // The completion line; or a single access line that has it all (a custom access log).
    // Fastify's error line also names req and res, but it is not the request's summary.
    if (res && (msg === "request completed" || (req && typeof responseTime === "number"))) {
      const started = req ?? pending.get(reqId);
      pending.delete(reqId);
      return requestLine(started, res, responseTime, level);
    }

    const fields = Object.entries(entry)
      .filter(([key]) => !shown.has(key) && key !== "err")
      .map(([key, value]) => `${key}=${short(value)}`);
    // Request-scoped warnings and errors name their request, to find it among the lines.
    if (reqId !== undefined && level >= 40) fields.push(`reqId=${reqId}`);
    const text = [
      `${levelTag(level)}${msg ?? ""}`,
      fields.length > 0 ? paint("2", fields.join(" ")) : "",
    ]
      .filter(Boolean)
      .join("  ");
    const stack = errorText(entry.err);
    return stack ? `${text}\n${stack}` : text;
  };
}

function parseJsonObject(line) {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line);
    return value && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function short(value) {
  const text =
    typeof value === "string" && /^[^\s"=]*$/.test(value) ? value : JSON.stringify(value);
  return text.length > maxValueLength ? `${text.slice(0, maxValueLength - 1)}…` : text;
}

/** pino's serialized error: the stack when there is one (it starts with the message). */
function errorText(err) {
  if (!err || typeof err !== "object") return undefined;
  const text = typeof err.stack === "string" ? err.stack : `${err.type ?? "Error"}: ${err.message}`;
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
