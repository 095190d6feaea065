// SIGTERM (the container runtime) and SIGINT (Ctrl-C) end a service gracefully: in-flight
// requests finish, new connections are refused, then the process exits.

interface ShutdownLog {
  info(bindings: object, message: string): void;
  error(message: string): void;
  error(bindings: object, message: string): void;
}

/** Inside compose's and Kubernetes' default grace periods (30 s), so we exit before a kill. */
const deadlineMs = 25_000;

/**
 * On the first SIGTERM or SIGINT, runs `close` and exits 0 when it resolves, 1 when it fails
 * or takes longer than 25 s. Later signals are ignored: a second Ctrl-C does not cut the
 * shutdown short, and the deadline still ends a request that never finishes.
 */
export function shutDownOnSignals(log: ShutdownLog, close: () => Promise<unknown>): void {
  let closing = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      log.info({ signal }, "shutting down");
      const deadline = setTimeout(() => {
        log.error(`shutdown took longer than ${deadlineMs / 1000} s; exiting`);
        process.exit(1);
      }, deadlineMs);
      deadline.unref();
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}
