import Type, { type Static } from "typebox";

const NullableString = Type.Union([Type.String(), Type.Null()]);

/**
 * `GET /api/me`: the Microsoft Graph `/v1.0/me` default properties, as Graph names them
 * (unset values are `null`). The BFF drops `@odata.context`.
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
  },
  { additionalProperties: false },
);
export type Profile = Static<typeof ProfileSchema>;
