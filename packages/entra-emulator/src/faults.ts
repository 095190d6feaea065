/** Injected faults: a queue per target, consumed in the order they were added. */
import { allUsers, type EmulatorContext, findUser } from "./context.ts";
import type { Fault, FaultTarget } from "./types.ts";

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

const targets = new Set<string>(["token", "graph", "keys", "discovery", "authorize"]);
const grantTypes = new Set<string>([
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
]);
const kindsByTarget: Record<FaultTarget, Set<string>> = {
  token: new Set([
    "invalid_grant",
    "interaction_required",
    "consent_required",
    "temporarily_unavailable",
    "server_error",
    "delay",
    "other_user",
    "id_token_claims",
    "replayable_code",
  ]),
  graph: new Set([
    "server_error",
    "unauthorized",
    "throttled",
    "claims_challenge",
    "delay",
    "large_body",
  ]),
  keys: new Set(["delay"]),
  discovery: new Set(["delay", "issuer"]),
  authorize: new Set(["delay"]),
};

export class FaultRegistry {
  #active: ActiveFault[] = [];

  /** `check` validates what needs the emulator's state (e.g. that a named user exists). */
  constructor(private readonly check: (fault: Fault) => void = () => {}) {}

  add(fault: Fault): void {
    assertFault(fault);
    this.check(fault);
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
    fault.kind === "large_body" &&
    !(
      Number.isInteger(fault.bytes) &&
      (fault.bytes as number) >= 1024 &&
      (fault.bytes as number) <= 2 ** 30
    )
  ) {
    throw new TypeError("a large_body fault needs bytes, an integer from 1024 to 1073741824");
  }
  if (
    fault.times !== undefined &&
    !(Number.isInteger(fault.times) && (fault.times as number) > 0)
  ) {
    throw new TypeError("fault.times must be a positive integer (omit it for until cleared)");
  }
  if (fault.grantType !== undefined && !grantTypes.has(fault.grantType as string)) {
    throw new TypeError(`fault.grantType must be one of ${[...grantTypes].join(", ")}`);
  }
  assertIdentityFault(fault);
}

/** The identity-integrity faults: answers that are well formed but name the wrong party. */
function assertIdentityFault(fault: Partial<Record<string, unknown>>) {
  switch (fault.kind) {
    case "other_user":
      if (fault.user !== undefined && !(typeof fault.user === "string" && fault.user !== "")) {
        throw new TypeError("an other_user fault's user must be a UPN or an oid (or omitted)");
      }
      return;
    case "id_token_claims": {
      const { set, remove, clientInfo } = fault;
      if (set === undefined && remove === undefined && clientInfo === undefined) {
        throw new TypeError("an id_token_claims fault needs set, remove or clientInfo");
      }
      if (set !== undefined && !isPlainObject(set)) {
        throw new TypeError("an id_token_claims fault's set must be an object of claims");
      }
      if (
        remove !== undefined &&
        !(Array.isArray(remove) && remove.every((name) => typeof name === "string" && name))
      ) {
        throw new TypeError("an id_token_claims fault's remove must be an array of claim names");
      }
      if (
        clientInfo !== undefined &&
        !(
          isPlainObject(clientInfo) &&
          typeof clientInfo.uid === "string" &&
          typeof clientInfo.utid === "string"
        )
      ) {
        throw new TypeError(
          'an id_token_claims fault\'s clientInfo must be { "uid": string, "utid": string }',
        );
      }
      return;
    }
    case "replayable_code":
      if (fault.grantType !== undefined && fault.grantType !== "authorization_code") {
        throw new TypeError(
          "a replayable_code fault applies to code redemptions: omit grantType or use authorization_code",
        );
      }
      return;
    case "issuer":
      if (!(typeof fault.issuer === "string" && fault.issuer !== "")) {
        throw new TypeError("an issuer fault needs issuer, the issuer discovery should name");
      }
      return;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks a fault against the emulator's state: a user it names must exist. */
export function assertFaultFits(ctx: EmulatorContext, fault: Fault): void {
  if (fault.kind === "other_user" && fault.user !== undefined && !findUser(ctx, fault.user)) {
    throw new TypeError(
      `an other_user fault names unknown user "${fault.user}"; the emulator has ${allUsers(ctx)
        .map((u) => u.userPrincipalName)
        .join(", ")}`,
    );
  }
}
