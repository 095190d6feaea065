/** When to warn that the session is about to end. */

export const defaultWarningLeadMs = 5 * 60_000;

/**
 * The moment the warning shows: `leadMs` before the end, or half-way through what is left
 * when first seen if that is sooner, so a short session (say a 4-minute idle timeout) is
 * not announced as ending from the moment it starts.
 */
export function warningTime(expiresAtMs: number, seenAtMs: number, leadMs: number): number {
  const remaining = Math.max(0, expiresAtMs - seenAtMs);
  return expiresAtMs - Math.min(leadMs, remaining / 2);
}

export function formatClockTime(date: Date): string {
  return new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(date);
}
