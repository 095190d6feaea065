/**
 * Profile photos from Microsoft Graph through the declared `graph` API, as `Blob`s in the
 * query cache (`null`: there is none to show). A photo is decoration: when it cannot be had
 * the avatar shows initials, and it never sends the user to sign-in on its own.
 */
import { apiErrorCodes } from "@entra-bff/contract";
import { queryOptions } from "@tanstack/react-query";
import { isApiRequestError } from "./client.ts";
import { api } from "./declared-api.ts";

export const photoQueryKeys = { all: ["photo"] as const };

/** Whose photo: the signed-in user's own (by object id), or anyone's (by Graph id). */
export type PhotoQueryKey = readonly ["photo", "me" | "user", string];

/**
 * Graph answers 404 `ImageNotFound` for someone without a photo. A 403, or a `401
 * consent_required` / `claims_challenge`, means this session may not read photos yet: the
 * page's own queries ask for the consent, after which photos load too. Any other failure (a
 * lost session, an outage) is thrown, so the query cache handles it as usual.
 */
function noPhoto(error: unknown): boolean {
  if (!isApiRequestError(error)) return false;
  if (error.status === 404 || error.status === 403) return true;
  return (
    error.status === 401 &&
    (error.code === apiErrorCodes.consentRequired || error.code === apiErrorCodes.claimsChallenge)
  );
}

async function photoOrNull(load: Promise<Blob>): Promise<Blob | null> {
  try {
    const blob = await load;
    // Only images become <img> sources; an empty or other answer shows the initials.
    return blob.size > 0 && blob.type.startsWith("image/") ? blob : null;
  } catch (error) {
    if (noPhoto(error)) return null;
    throw error;
  }
}

const photoOptions = {
  // Photos rarely change; a new one shows at the next page load.
  staleTime: 30 * 60_000,
  retry: false,
  // Decoration: a failure must not redirect (see noPhoto) or count as proof of anything.
  meta: { decoration: true },
} as const;

/** The signed-in user's photo (`/me/photo/$value`), keyed by their object id. */
export function myPhotoQuery(userId: string) {
  return queryOptions({
    queryKey: [...photoQueryKeys.all, "me", userId] as PhotoQueryKey,
    queryFn: ({ signal }) => photoOrNull(api.graph.get("/me/photo/$value", { signal })),
    ...photoOptions,
  });
}

/** Anyone's photo in the directory, by their Graph id. */
export function userPhotoQuery(id: string) {
  return queryOptions({
    queryKey: [...photoQueryKeys.all, "user", id] as PhotoQueryKey,
    queryFn: ({ signal }) =>
      photoOrNull(api.graph.get("/users/{id}/photo/$value", { params: { id }, signal })),
    ...photoOptions,
  });
}

export type PhotoQuery = ReturnType<typeof userPhotoQuery>;
