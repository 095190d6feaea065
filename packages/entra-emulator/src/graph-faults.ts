/** Injected Graph faults as a client receives them (see faults.ts for the registry). */
import type { EmulatorContext } from "./context.ts";
import { invalidToken } from "./graph-auth.ts";
import { GraphError } from "./graph-errors.ts";
import type { Fault } from "./types.ts";

type LargeBodyFault = Extract<Fault, { kind: "large_body" }>;

const isErrorFault = (fault: Fault) => fault.kind !== "delay" && fault.kind !== "large_body";
const isLargeBody = (fault: Fault): fault is LargeBodyFault => fault.kind === "large_body";

/** Consumes the next error fault for Graph, as the error Graph would answer; or undefined. */
export function takeGraphFaultError(ctx: EmulatorContext): GraphError | undefined {
  const fault = ctx.faults.take("graph", isErrorFault);
  if (!fault) return undefined;
  switch (fault.kind) {
    case "throttled": {
      const seconds = fault.retryAfterSeconds ?? 10;
      return new GraphError(429, "TooManyRequests", "Too many requests.", {
        "retry-after": String(seconds),
      });
    }
    case "claims_challenge": {
      const claims =
        fault.claims ??
        JSON.stringify({
          access_token: { nbf: { essential: true, value: String(Math.floor(ctx.now() / 1000)) } },
        });
      // Graph sends the claims request base64-encoded (standard alphabet, padded).
      const encoded = Buffer.from(claims, "utf8").toString("base64");
      return invalidToken(
        ctx,
        "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies",
        `, error="insufficient_claims", claims="${encoded}"`,
      );
    }
    case "unauthorized":
      return invalidToken(ctx, "Lifetime validation failed, the token is expired.");
    default:
      return new GraphError(500, "generalException", "An unspecified error has occurred.");
  }
}

/** Consumes a large_body fault, if one is active: the size the next body must have. */
export function takeLargeBody(ctx: EmulatorContext): number | undefined {
  return ctx.faults.take("graph", isLargeBody)?.bytes;
}
