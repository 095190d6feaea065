/** Shared route helpers: tenant checks, fault delays, Entra error replies. */
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type EmulatorContext, isKnownTenant } from "../context.ts";
import { aadsts, type EntraErrorInput, entraError } from "../entra-error.ts";
import type { Fault, FaultTarget } from "../types.ts";

export interface TenantParams {
  tenant: string;
}

export function sendEntraError(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  input: EntraErrorInput,
) {
  const correlationId = request.headers["client-request-id"];
  const traceId = reply.getHeader("x-ms-request-id");
  return reply
    .code(status)
    .header("cache-control", "no-store, no-cache")
    .header("pragma", "no-cache")
    .send(
      entraError(input, {
        now: ctx.now(),
        correlationId: typeof correlationId === "string" ? correlationId : undefined,
        errorBase: ctx.browserUrl,
        traceId: typeof traceId === "string" ? traceId : undefined,
      }),
    );
}

/**
 * Entra's request id on every answer (`x-ms-request-id`, the `trace_id` of an error), and
 * the STS's server header. Graph's routes stamp their own ids over these.
 */
export function stampEntraRequestId(reply: FastifyReply): void {
  reply.header("x-ms-request-id", randomUUID()).header("x-ms-ests-server", "emulator.dev-only");
}

/** Replies 400 invalid_tenant (AADSTS90002) and returns false for a tenant we do not host. */
export function checkTenant(
  ctx: EmulatorContext,
  request: FastifyRequest<{ Params: TenantParams }>,
  reply: FastifyReply,
): boolean {
  if (isKnownTenant(ctx, request.params.tenant)) return true;
  void sendEntraError(ctx, request, reply, 400, aadsts.tenantNotFound(request.params.tenant));
  return false;
}

const isDelay = (fault: Fault): fault is Extract<Fault, { kind: "delay" }> =>
  fault.kind === "delay";

/** Holds the response while a delay fault is active; released early by close(). */
export async function applyDelay(ctx: EmulatorContext, target: FaultTarget): Promise<void> {
  const fault = ctx.faults.take(target, isDelay);
  if (!fault) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, fault.ms);
    ctx.closing.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
