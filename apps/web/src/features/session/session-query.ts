/** `GET /auth/session`: who is signed in, and until when. */
import {
  paths,
  type SessionFeatures,
  type SessionResponse,
  type SessionUser,
} from "@entra-bff/contract";
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

/** A workforce tenant's: no sign-up or profile editing here, and Graph's directory. */
export const workforceFeatures: SessionFeatures = {
  signUp: false,
  editProfile: false,
  directory: true,
};

/**
 * What the identity provider offers beyond sign-in (`/auth/session`'s `features`, sent for
 * customer tenants), signed in or not; a workforce tenant's while the session is loading.
 */
export function useSessionFeatures(): SessionFeatures & { customer: boolean } {
  // Only reads what the session query holds: the layout's own observer decides when to fetch,
  // and a page mounted to say the session ended must not ask the server again.
  const { data } = useQuery({
    ...sessionQuery,
    refetchOnMount: false,
    refetchOnWindowFocus: false,
  });
  return data?.features
    ? { ...data.features, customer: true }
    : { ...workforceFeatures, customer: false };
}
