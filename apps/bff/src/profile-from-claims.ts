// `/api/me` where Graph has no profile for the user (Azure AD B2C): the Profile contract from
// the ID token's claims the session kept, naming the properties it has.
import { type Profile, profileFields } from "@entra-bff/contract";
import type { Identity } from "./session/identity.ts";

/**
 * The profile of the session's ID token: its object id, names and first e-mail address;
 * every other property `null` (the token does not carry it). `fields` lists what it has.
 * Makes no call: the claims were validated at sign-in (or at the last profile edit).
 */
export function profileFromClaims(identity: Identity): Profile {
  const claims = identity.profile ?? {};
  const profile: Profile = {
    id: identity.user.oid,
    displayName: claims.displayName ?? null,
    givenName: claims.givenName ?? null,
    surname: claims.surname ?? null,
    userPrincipalName: null,
    mail: claims.email ?? null,
    jobTitle: null,
    officeLocation: null,
    businessPhones: [],
    mobilePhone: null,
    preferredLanguage: null,
    source: "id_token",
  };
  // businessPhones is always an empty list here: never a field the token has.
  const fields = profileFields.filter(
    (name) => name !== "businessPhones" && profile[name] !== null,
  );
  return { ...profile, fields };
}
