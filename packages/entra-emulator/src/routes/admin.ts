/** The test-only admin API under /_emulator: inject faults, change token lifetimes. */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.ts";
import { assertFault } from "../faults.ts";

export function adminRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  app.post("/_emulator/faults", async (request, reply) => {
    try {
      assertFault(request.body);
    } catch (error) {
      return reply.code(400).send({ code: "invalid_fault", message: (error as Error).message });
    }
    ctx.faults.add(request.body);
    return reply.code(201).send({ added: request.body });
  });

  app.delete("/_emulator/faults", async (_request, reply) => {
    ctx.faults.clear();
    return reply.code(204).send();
  });

  app.patch<{ Body: { accessTokenLifetimeSeconds?: unknown } }>(
    "/_emulator/settings",
    async (request, reply) => {
      const lifetime = request.body?.accessTokenLifetimeSeconds;
      if (lifetime !== undefined) {
        if (!(Number.isInteger(lifetime) && (lifetime as number) > 0)) {
          return reply.code(400).send({
            code: "invalid_settings",
            message: "accessTokenLifetimeSeconds must be a positive integer",
          });
        }
        ctx.settings.accessTokenLifetimeSeconds = lifetime as number;
      }
      return reply.send(ctx.settings);
    },
  );

  app.get("/_emulator/users", async () => ctx.users);
}
