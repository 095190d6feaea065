import Type, { type Static } from "typebox";

/**
 * Microsoft Graph's `user` resources as the SPA reads them through the declared `graph` API
 * (`/api/graph/...`). These are Graph's own shapes, passed through by the BFF unchanged, so
 * they keep Graph's `@odata.*` annotations and allow properties this schema does not name.
 */

const NullableString = Type.Union([Type.String(), Type.Null()]);

/**
 * The properties the SPA asks for with `$select`; Graph returns exactly those, so `id` is
 * among them. With `User.ReadBasic.All` Graph fills only the basic profile (`id`,
 * `displayName`, `givenName`, `surname`, `mail`, `userPrincipalName`) for other people and
 * answers `null` for the rest (`jobTitle`, `officeLocation`, phones); `User.Read.All` fills them.
 */
export const graphUserFields = [
  "id",
  "displayName",
  "givenName",
  "surname",
  "jobTitle",
  "mail",
  "userPrincipalName",
  "officeLocation",
  "businessPhones",
  "mobilePhone",
] as const;

export type GraphUserField = (typeof graphUserFields)[number];

/**
 * `GET /v1.0/users/{id | userPrincipalName}`, and each entry of a users page. Every property
 * but `id` is optional: Graph leaves out what `$select` did not ask for, and sends `null`
 * for a property that is unset.
 */
export const GraphUserSchema = Type.Object({
  id: Type.String(),
  displayName: Type.Optional(NullableString),
  givenName: Type.Optional(NullableString),
  surname: Type.Optional(NullableString),
  jobTitle: Type.Optional(NullableString),
  mail: Type.Optional(NullableString),
  userPrincipalName: Type.Optional(NullableString),
  officeLocation: Type.Optional(NullableString),
  businessPhones: Type.Optional(Type.Array(Type.String())),
  mobilePhone: Type.Optional(NullableString),
  preferredLanguage: Type.Optional(NullableString),
});
export type GraphUser = Static<typeof GraphUserSchema>;

/**
 * `GET /v1.0/users`: one page. `@odata.nextLink` is an absolute Graph URL; the SPA asks for
 * the next page by calling the same `/api/graph/users` with that link's query parameters
 * (`$skiptoken` among them), never the link itself. `@odata.count` comes with `$count=true`.
 */
export const GraphUserPageSchema = Type.Object({
  "@odata.context": Type.Optional(Type.String()),
  "@odata.count": Type.Optional(Type.Integer({ minimum: 0 })),
  "@odata.nextLink": Type.Optional(Type.String()),
  value: Type.Array(GraphUserSchema),
});
export type GraphUserPage = Static<typeof GraphUserPageSchema>;

/**
 * The OData query options of `GET /v1.0/users` that the repo's `graph` declaration allows
 * (`config/downstream-apis.json`); any other parameter is refused with `400 bad_request`.
 * `$search` needs the request header `ConsistencyLevel: eventual`, as `$count` does with
 * `$search` or `$filter`.
 */
export const GraphUsersQuerySchema = Type.Object(
  {
    /** e.g. `"displayName:adele"`, quotes included. */
    $search: Type.Optional(Type.String()),
    /** Comma-separated property names, e.g. `graphUserFields.join(",")`. */
    $select: Type.Optional(Type.String()),
    $top: Type.Optional(Type.Integer({ minimum: 1, maximum: 999 })),
    $filter: Type.Optional(Type.String()),
    $orderby: Type.Optional(Type.String()),
    $count: Type.Optional(Type.Boolean()),
    /** Only ever copied from an `@odata.nextLink`. */
    $skiptoken: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type GraphUsersQuery = Static<typeof GraphUsersQuerySchema>;

/** `GET /v1.0/users/{id}`: only `$select` is meaningful. */
export const GraphUserQuerySchema = Type.Object(
  { $select: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type GraphUserQuery = Static<typeof GraphUserQuerySchema>;

/** The request header `$search` needs; passed through because the declaration allows it. */
export const graphConsistencyHeader = { name: "consistencylevel", value: "eventual" } as const;
