/** `GET /auth/session`: who is signed in, and until when. */
import { paths, type SessionResponse, type SessionUser } from "@entra-bff/contract";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { requestJson } from "../../api/client.ts";

export const sessionQuery = queryOptions({
  queryKey: ["session"] as const,
  queryFn: ({ signal }) => requestJson<SessionResponse>(paths.session, { signal }),
  staleTime: 60_000,
  // Another tab may have signed in or out meanwhile; reading the session does not extend it.
  refetchOnWindowFocus: "always",
});

export const signedOut: SessionResponse = { authenticated: false };

/**
 * The signed-in user and when their session ends, for pages that only render signed in
 * (under the app's signed-in layout); undefined otherwise.
 */
export function useSignedInSession(): { user: SessionUser; expiresAt?: string } | undefined {
  const { data } = useQuery(sessionQuery);
  if (!data?.authenticated || !data.user) return undefined;
  return data.expiresAt === undefined
    ? { user: data.user }
    : { user: data.user, expiresAt: data.expiresAt };
}
