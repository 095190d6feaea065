import Type, { type Static } from "typebox";

/** One client credential of the BFF, as `/readyz` reports it (never its value). */
export const CredentialStatusSchema = Type.Object(
  {
    kind: Type.Union([
      Type.Literal("secret"),
      Type.Literal("certificate"),
      Type.Literal("federated"),
      Type.Literal("managed_identity"),
    ]),
    /** Its position in its setting (ENTRA_CLIENT_SECRET, ENTRA_CLIENT_CERTIFICATE), from 1. */
    index: Type.Integer({ minimum: 1 }),
    /** Token requests use this one now; the others are fallbacks. */
    active: Type.Boolean(),
    /** A certificate's SHA-1 thumbprint, as the Entra admin center lists it. */
    thumbprint: Type.Optional(Type.String()),
    /** ISO 8601: a certificate's notAfter, a secret's ENTRA_CLIENT_SECRET_EXPIRES. */
    expiresAt: Type.Optional(Type.String()),
    /**
     * `expiring`: within 30 days. `unknown`: a secret without ENTRA_CLIENT_SECRET_EXPIRES.
     * `short_lived`: federated and managed identity tokens, renewed by the platform.
     */
    expiry: Type.Union([
      Type.Literal("ok"),
      Type.Literal("expiring"),
      Type.Literal("expired"),
      Type.Literal("unknown"),
      Type.Literal("short_lived"),
    ]),
  },
  { additionalProperties: false },
);
export type CredentialStatus = Static<typeof CredentialStatusSchema>;

/** `GET /healthz` and `GET /readyz`. */
export const HealthResponseSchema = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
    /** `/readyz` only: what is not ready yet. */
    reason: Type.Optional(Type.String()),
    /** `/readyz` only: the client credentials and their expiry (they do not change `status`). */
    credentials: Type.Optional(Type.Array(CredentialStatusSchema)),
  },
  { additionalProperties: false },
);
export type HealthResponse = Static<typeof HealthResponseSchema>;
