/**
 * Graph's `user` resource as the emulator serves it: the properties, which are returned
 * by default, which belong to User.ReadBasic.All's basic profile, and how each can be
 * filtered, searched and sorted (Graph's "advanced query capabilities" tables).
 */
import type { ProfileAccess } from "./graph-auth.ts";
import type { TestUser } from "./types.ts";

export type PropertyValue = string | boolean | string[] | null;
export type EdmType = "Edm.String" | "Edm.Boolean" | "Collection(Edm.String)";

/** "default": works as is; "advanced": needs `ConsistencyLevel: eventual` and `$count=true`. */
export type QueryMode = "default" | "advanced";

export interface FilterSupport {
  /** `eq` (and `in`; `ne` and `not` always need the advanced parameters). */
  eq?: QueryMode;
  /** `ge`, `le`. */
  range?: QueryMode;
  startsWith?: QueryMode;
  endsWith?: QueryMode;
  /** `eq null` / `ne null`. */
  eqNull?: QueryMode;
}

export interface UserProperty {
  name: string;
  type: EdmType;
  value: (user: TestUser) => PropertyValue;
  /** Returned without `$select`. */
  byDefault: boolean;
  /** In User.ReadBasic.All's basic profile; other properties read as null with it. */
  basic: boolean;
  filter: FilterSupport;
  /** `$orderby` works on it (only displayName and userPrincipalName, for users). */
  sortable?: boolean;
  /** `$search` matches its words (tokenized); on other properties `$search` is startsWith. */
  tokenizedSearch?: boolean;
}

const D = "default" as const;
const A = "advanced" as const;

function string(
  name: string,
  value: (user: TestUser) => string | null | undefined,
  options: Omit<UserProperty, "name" | "type" | "value">,
): UserProperty {
  return { name, type: "Edm.String", value: (user) => value(user) ?? null, ...options };
}

/**
 * Default properties first, in the order Graph returns them (`/me` answers exactly these),
 * then the ones returned only on `$select`.
 */
export const userProperties: readonly UserProperty[] = [
  {
    name: "businessPhones",
    type: "Collection(Edm.String)",
    value: (user) => [...user.businessPhones],
    byDefault: true,
    basic: false,
    filter: {},
  },
  string("displayName", (u) => u.displayName, {
    byDefault: true,
    basic: true,
    filter: { eq: D, range: A, startsWith: D, eqNull: A },
    sortable: true,
    tokenizedSearch: true,
  }),
  string("givenName", (u) => u.givenName, {
    byDefault: true,
    basic: true,
    filter: { eq: D, range: D, startsWith: D, eqNull: A },
  }),
  string("jobTitle", (u) => u.jobTitle, {
    byDefault: true,
    basic: false,
    filter: { eq: D, range: D, startsWith: A, eqNull: A },
  }),
  string("mail", (u) => u.mail, {
    byDefault: true,
    basic: true,
    filter: { eq: D, range: D, startsWith: D, endsWith: A, eqNull: A },
  }),
  string("mobilePhone", (u) => u.mobilePhone, {
    byDefault: true,
    basic: false,
    filter: { eq: A, range: A, startsWith: A, eqNull: A },
  }),
  string("officeLocation", (u) => u.officeLocation, {
    byDefault: true,
    basic: false,
    filter: { eq: A, range: A, startsWith: A, eqNull: A },
  }),
  string("preferredLanguage", (u) => u.preferredLanguage, {
    byDefault: true,
    basic: false,
    filter: { eq: A, range: A, startsWith: A, eqNull: A },
  }),
  string("surname", (u) => u.surname, {
    byDefault: true,
    basic: true,
    filter: { eq: D, range: D, startsWith: D, eqNull: A },
  }),
  string("userPrincipalName", (u) => u.userPrincipalName, {
    byDefault: true,
    basic: true,
    filter: { eq: D, range: D, startsWith: D, endsWith: A },
    sortable: true,
  }),
  string("id", (u) => u.oid, { byDefault: true, basic: true, filter: { eq: D } }),
  {
    name: "accountEnabled",
    type: "Edm.Boolean",
    value: () => true,
    byDefault: false,
    basic: false,
    filter: { eq: D, range: A },
  },
  string("city", (u) => u.city, {
    byDefault: false,
    basic: false,
    filter: { eq: D, range: D, startsWith: D, eqNull: A },
  }),
  string("companyName", (u) => u.companyName, {
    byDefault: false,
    basic: false,
    filter: { eq: A, range: A, startsWith: A, eqNull: A },
  }),
  string("country", (u) => u.country, {
    byDefault: false,
    basic: false,
    filter: { eq: D, range: D, startsWith: D, eqNull: A },
  }),
  string("department", (u) => u.department, {
    byDefault: false,
    basic: false,
    filter: { eq: D, range: D, startsWith: D, eqNull: A },
  }),
  string("mailNickname", (u) => u.userPrincipalName.split("@")[0], {
    byDefault: false,
    basic: false,
    filter: { eq: D, range: D, startsWith: D, eqNull: A },
  }),
  string("userType", () => "Member", {
    byDefault: false,
    basic: false,
    filter: { eq: D, eqNull: A },
  }),
];

const byLowerName = new Map(userProperties.map((p) => [p.name.toLowerCase(), p]));

/** OData names are matched case-insensitively by Graph: `$select=DisplayName` works. */
export function findUserProperty(name: string): UserProperty | undefined {
  return byLowerName.get(name.toLowerCase());
}

export const defaultUserProperties: readonly UserProperty[] = userProperties.filter(
  (p) => p.byDefault,
);

/**
 * The user as Graph returns it: the selected properties in the order asked for. With only
 * the basic profile readable, the others are null (an empty collection), as Graph sends.
 */
export function projectUser(
  user: TestUser,
  properties: readonly UserProperty[],
  access: Exclude<ProfileAccess, undefined>,
): Record<string, PropertyValue> {
  const projected: Record<string, PropertyValue> = {};
  for (const property of properties) {
    const readable = access === "full" || property.basic;
    projected[property.name] = readable
      ? property.value(user)
      : property.type === "Collection(Edm.String)"
        ? []
        : null;
  }
  return projected;
}
