/** The test-only admin API under /_emulator: inject faults, change token lifetimes, consent. */
import type { FastifyInstance, FastifyReply } from "fastify";
import { consentAdmin } from "../consents.ts";
import type { EmulatorContext } from "../context.ts";
import { assertFault } from "../faults.ts";

type ConsentBody = Partial<Record<"user" | "scopes" | "clientId", unknown>> | null | undefined;

export function adminRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.post("/_emulator/faults", async (request, reply) => {
    try {
      assertFault(request.body);
      ctx.faults.add(request.body);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return reply.code(400).send({ code: "invalid_fault", message: error.message });
    }
    return reply.code(201).send({ added: request.body });
  });

  app.delete("/_emulator/faults", async (_request, reply) => {
    ctx.faults.clear();
    return reply.code(204).send();
  });

  app.patch<{
    Body: { accessTokenLifetimeSeconds?: unknown; deviceCodeIntervalSeconds?: unknown };
  }>("/_emulator/settings", async (request, reply) => {
    const lifetime = request.body?.accessTokenLifetimeSeconds;
    const interval = request.body?.deviceCodeIntervalSeconds;
    const invalid = (message: string) =>
      reply.code(400).send({ code: "invalid_settings", message });
    // null restores Entra's random 60 to 90 minutes.
    if (lifetime !== undefined && lifetime !== null && !isPositiveInteger(lifetime)) {
      return invalid(
        "accessTokenLifetimeSeconds must be a positive integer, or null for Entra's 60 to 90 minutes",
      );
    }
    if (interval !== undefined && !isPositiveInteger(interval)) {
      return invalid("deviceCodeIntervalSeconds must be a positive integer");
    }
    if (lifetime !== undefined) {
      ctx.settings.accessTokenLifetimeSeconds =
        lifetime === null ? undefined : (lifetime as number);
    }
    if (interval !== undefined) ctx.settings.deviceCodeIntervalSeconds = interval as number;
    return reply.send(ctx.settings);
  });

  app.get("/_emulator/users", async () => ctx.users);

  const consents = consentAdmin(ctx);
  const invalidConsent = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof TypeError)) throw error;
    return reply.code(400).send({ code: "invalid_consent", message: error.message });
  };

  app.get<{ Querystring: { user?: string; clientId?: string } }>(
    "/_emulator/consents",
    async (request, reply) => {
      try {
        return reply.send(consents.list(request.query));
      } catch (error) {
        return invalidConsent(reply, error);
      }
    },
  );

  app.post<{ Body: ConsentBody }>("/_emulator/consents", async (request, reply) => {
    const body = request.body;
    try {
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new TypeError('the body must be JSON { "user", "scopes": [...], "clientId"? }');
      }
      consents.grant(body.user as string, body.scopes as string[], body.clientId as string);
      const [granted] = consents.list({
        user: body.user as string,
        clientId: (body.clientId as string | undefined) ?? ctx.clients[0]!.clientId,
      });
      return reply.code(201).send({ granted });
    } catch (error) {
      return invalidConsent(reply, error);
    }
  });

  // DELETE bodies are unusual: the query string (?user=…&clientId=…) works as well.
  app.delete<{ Body: ConsentBody; Querystring: ConsentBody }>(
    "/_emulator/consents",
    async (request, reply) => {
      const body = request.body ?? request.query;
      try {
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          throw new TypeError('the body must be JSON { "user", "clientId"? }');
        }
        consents.revoke(body.user as string, body.clientId as string);
        return reply.code(204).send();
      } catch (error) {
        return invalidConsent(reply, error);
      }
    },
  );
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}
