/** Injected faults: a queue per target, consumed in the order they were added. */
import type { Fault, FaultTarget } from "./types.ts";

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

const targets = new Set<string>(["token", "graph", "keys", "discovery", "authorize"]);
const kindsByTarget: Record<FaultTarget, Set<string>> = {
  token: new Set([
    "invalid_grant",
    "interaction_required",
    "consent_required",
    "temporarily_unavailable",
    "server_error",
    "delay",
  ]),
  graph: new Set(["server_error", "unauthorized", "throttled", "claims_challenge", "delay"]),
  keys: new Set(["delay"]),
  discovery: new Set(["delay"]),
  authorize: new Set(["delay"]),
};

export class FaultRegistry {
  #active: ActiveFault[] = [];

  add(fault: Fault): void {
    assertFault(fault);
    this.#active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#active = [];
  }

  /** Consumes one use of the first fault for `target` that `matches` accepts. */
  take<F extends Fault = Fault>(
    target: FaultTarget,
    matches: (fault: Fault) => fault is F,
  ): F | undefined;
  take(target: FaultTarget, matches: (fault: Fault) => boolean): Fault | undefined;
  take(target: FaultTarget, matches: (fault: Fault) => boolean): Fault | undefined {
    const index = this.#active.findIndex((a) => a.fault.target === target && matches(a.fault));
    const active = this.#active[index];
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.#active.splice(index, 1);
    return active.fault;
  }
}

/** Misuse of the fault API is a TypeError naming the field, so a typo in a test is loud. */
export function assertFault(value: unknown): asserts value is Fault {
  const fault = value as Partial<Record<string, unknown>> | null;
  if (typeof fault !== "object" || fault === null) throw new TypeError("a fault must be an object");
  if (typeof fault.target !== "string" || !targets.has(fault.target)) {
    throw new TypeError(`fault.target must be one of ${[...targets].join(", ")}`);
  }
  const kinds = kindsByTarget[fault.target as FaultTarget];
  if (typeof fault.kind !== "string" || !kinds.has(fault.kind)) {
    throw new TypeError(
      `fault.kind for target "${fault.target}" must be one of ${[...kinds].join(", ")}`,
    );
  }
  if (fault.kind === "delay" && !(typeof fault.ms === "number" && fault.ms >= 0)) {
    throw new TypeError("a delay fault needs ms, a number >= 0");
  }
  if (
    fault.times !== undefined &&
    !(Number.isInteger(fault.times) && (fault.times as number) > 0)
  ) {
    throw new TypeError("fault.times must be a positive integer (omit it for until cleared)");
  }
  if (
    fault.grantType !== undefined &&
    fault.grantType !== "authorization_code" &&
    fault.grantType !== "refresh_token"
  ) {
    throw new TypeError('fault.grantType must be "authorization_code" or "refresh_token"');
  }
}
