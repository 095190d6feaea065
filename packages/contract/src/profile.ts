import Type, { type Static } from "typebox";

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** The profile's properties, as Graph names them (`fields` lists some of them). */
export const profileFields = [
  "id",
  "displayName",
  "givenName",
  "surname",
  "userPrincipalName",
  "mail",
  "jobTitle",
  "officeLocation",
  "businessPhones",
  "mobilePhone",
  "preferredLanguage",
] as const;
export type ProfileField = (typeof profileFields)[number];

/**
 * Where a profile comes from: Microsoft Graph `/me` (absent `source` means this too), or
 * the ID token's claims where Graph has no profile for the user (Azure AD B2C).
 */
export const ProfileSourceSchema = Type.Union([Type.Literal("graph"), Type.Literal("id_token")]);
export type ProfileSource = Static<typeof ProfileSourceSchema>;

/**
 * `GET /api/me`: the Microsoft Graph `/v1.0/me` default properties, as Graph names them
 * (unset values are `null`). The BFF drops `@odata.context`. From the ID token (`source`
 * `id_token`), `fields` names the properties the token had: the others are `null` because
 * the source does not know them, not because they are unset.
 */
export const ProfileSchema = Type.Object(
  {
    id: Type.String(),
    displayName: NullableString,
    givenName: NullableString,
    surname: NullableString,
    userPrincipalName: NullableString,
    mail: NullableString,
    jobTitle: NullableString,
    officeLocation: NullableString,
    businessPhones: Type.Array(Type.String()),
    mobilePhone: NullableString,
    preferredLanguage: NullableString,
    source: Type.Optional(ProfileSourceSchema),
    fields: Type.Optional(Type.Array(Type.Enum(profileFields), { maxItems: profileFields.length })),
  },
  { additionalProperties: false },
);
export type Profile = Static<typeof ProfileSchema>;
