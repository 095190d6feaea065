/** "Stay signed in": an activity call that extends the idle expiry, then the new expiry. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { profileQuery } from "../profile/profile-query.ts";
import { sessionQuery } from "./session-query.ts";

export interface StayResult {
  /** False when the session still ends at the same time: its absolute lifetime is up. */
  extended: boolean;
}

/**
 * `/api/me` counts as activity (the BFF extends the idle expiry on it); `/auth/session`
 * does not, so it is read afterwards only to learn the new end time.
 */
export function useStaySignedIn(userId: string, expiresAt: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (): Promise<StayResult> => {
      await queryClient.fetchQuery({ ...profileQuery(userId), staleTime: 0 });
      const session = await queryClient.fetchQuery({ ...sessionQuery, staleTime: 0 });
      const next = session.authenticated ? session.expiresAt : undefined;
      return { extended: next !== undefined && Date.parse(next) > Date.parse(expiresAt) };
    },
  });
}
