/** `GET /api/me`: the signed-in user's Microsoft Graph profile, fetched by the BFF. */
import { type Profile, paths } from "@entra-bff/contract";
import { queryOptions } from "@tanstack/react-query";
import { requestJson } from "../../api/client.ts";

export const profileQueryKeys = { all: ["profile"] as const };

/**
 * Keyed by the user's object id although the BFF knows who is asking: a sign-in as
 * someone else must never show the previous user's cached profile.
 */
export function profileQuery(userId: string) {
  return queryOptions({
    queryKey: [...profileQueryKeys.all, userId] as const,
    queryFn: ({ signal }) => requestJson<Profile>(paths.me, { signal }),
    staleTime: 5 * 60_000,
  });
}
