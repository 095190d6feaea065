/** `GET /auth/session`: who is signed in, and until when. */
import { paths, type SessionResponse } from "@entra-bff/contract";
import { queryOptions } from "@tanstack/react-query";
import { requestJson } from "../../api/client.ts";

export const sessionQuery = queryOptions({
  queryKey: ["session"] as const,
  queryFn: ({ signal }) => requestJson<SessionResponse>(paths.session, { signal }),
  staleTime: 60_000,
  // Another tab may have signed in or out meanwhile; reading the session does not extend it.
  refetchOnWindowFocus: "always",
});

export const signedOut: SessionResponse = { authenticated: false };
