import Type, { type Static } from "typebox";

/** `GET /healthz` and `GET /readyz`. */
export const HealthResponseSchema = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
    /** `/readyz` only: what is not ready yet. */
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type HealthResponse = Static<typeof HealthResponseSchema>;
