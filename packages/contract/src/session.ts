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

/**
 * What the identity provider offers beyond sign-in, for the SPA to show or hide. Sent for
 * customer tenants (Entra External ID, Azure AD B2C), signed in or not; absent for a
 * workforce tenant, which offers none of it and has Graph's directory.
 */
export const SessionFeaturesSchema = Type.Object(
  {
    /** `/auth/login?prompt=create` starts self-service sign-up (External ID). */
    signUp: Type.Boolean(),
    /** `/auth/edit-profile?returnTo=` runs B2C's profile editing user flow. */
    editProfile: Type.Boolean(),
    /** An organization's directory in Graph (People, photos): never for customers. */
    directory: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type SessionFeatures = Static<typeof SessionFeaturesSchema>;

/** `GET /auth/session`. */
export const SessionResponseSchema = Type.Object(
  {
    authenticated: Type.Boolean(),
    user: Type.Optional(SessionUserSchema),
    /** ISO 8601: when the session ends unless used (the earlier of idle and absolute expiry). */
    expiresAt: Type.Optional(Type.String()),
    features: Type.Optional(SessionFeaturesSchema),
  },
  { additionalProperties: false },
);
export type SessionResponse = Static<typeof SessionResponseSchema>;
