// Where a service's pino lines go: a test's stream, or standard output in batches.
import pino from "pino";

/** Where log lines go; tests pass an array-backed stream. */
export interface LogStream {
  write(line: string): void;
}

type Flushable = pino.DestinationStream & { flush(): void };

/** pino's number for `warn`: lines at or above it are written without waiting. */
const warnLevel = 40;

let stdout: Flushable | undefined;

/**
 * Standard output, written in batches: lines wait until 4 KiB are buffered or 100 ms have
 * passed. pino's default starts a write on libuv's thread pool for each line unless one is
 * already under way, so at a few thousand requests per second every access line paid for a
 * write of its own (measured: ~30 µs of CPU per proxied call, a tenth of its cost). pino
 * flushes the buffer when the process exits. One per process, so that apps sharing a process
 * (tests) never interleave their writes.
 */
function bufferedStdout(): Flushable {
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
  return stdout;
}

/**
 * pino options for the lines' destination: `stream` as it is, or standard output in batches
 * with every warning and error written at once (with the lines before it, in order). A crash
 * that skips the exit handlers can lose the last 100 ms of access lines, not a warning.
 */
export function logOutput(
  stream: LogStream | undefined,
): Pick<pino.LoggerOptions, "hooks"> & { stream: LogStream } {
  if (stream) return { stream };
  const buffered = bufferedStdout();
  return {
    stream: buffered,
    hooks: {
      logMethod(args, method, level) {
        method.apply(this, args);
        if (level >= warnLevel) buffered.flush();
      },
    },
  };
}
