import Type, { type Static } from "typebox";

/** The signed-in user as `/auth/session` reports it: ID-token claims only, never a token. */
export const SessionUserSchema = Type.Object(
  {
    /** `name` claim. */
    name: Type.String(),
    /** `preferred_username` claim (usually the UPN or e-mail). */
    username: Type.String(),
    /** `oid` claim: the user's object id, stable across apps in the tenant. */
    oid: Type.String(),
    /** `tid` claim. */
    tenantId: Type.String(),
    /**
     * The ID token's `roles` claim: the app roles assigned to the user in this app's
     * registration (bounded). Never `groups`: see the README's security model.
     */
    roles: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type SessionUser = Static<typeof SessionUserSchema>;

/** `GET /auth/session`. */
export const SessionResponseSchema = Type.Object(
  {
    authenticated: Type.Boolean(),
    user: Type.Optional(SessionUserSchema),
    /** ISO 8601: when the session ends unless used (the earlier of idle and absolute expiry). */
    expiresAt: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type SessionResponse = Static<typeof SessionResponseSchema>;
