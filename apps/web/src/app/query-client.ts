/** The query cache and what happens app-wide when a query fails. */
import { apiErrorCodes } from "@entra-bff/contract";
import { MutationCache, QueryCache, QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { isApiRequestError } from "../api/client.ts";
import { createInteractiveSignIn } from "../features/session/interactive-sign-in.ts";
import { recordSessionEnd, type SessionEndReason } from "../features/session/session-end.ts";
import { sessionQuery, signedOut } from "../features/session/session-query.ts";

const sessionLostCodes: ReadonlySet<string> = new Set([
  apiErrorCodes.notAuthenticated,
  apiErrorCodes.sessionExpired,
]);

/** A 401 that means "no session" (not a claims challenge, which keeps the session). */
export function isSessionLost(error: unknown): boolean {
  return isApiRequestError(error) && error.status === 401 && sessionLostCodes.has(error.code);
}

/**
 * Shows the signed-out state, which links to sign-in with the current path as `returnTo`.
 * The session is set rather than refetched so a server that disagrees with itself cannot
 * cause a fetch loop; it is marked stale, so the next focus or mount asks the BFF again.
 * The user's cached data goes once the signed-in page has unmounted (`useForgetSignedOutUser`):
 * removing it under a mounted query would only make that query fetch again. A user who was
 * signed in is told why (`reason`), on the page they were on.
 */
export function showSignedOut(
  queryClient: QueryClient,
  reason: SessionEndReason = "expired",
): void {
  const previous = queryClient.getQueryData(sessionQuery.queryKey);
  if (previous?.authenticated) recordSessionEnd(queryClient, reason);
  // What the tenant offers (sign-up, profile editing) did not end with the session.
  queryClient.setQueryData(
    sessionQuery.queryKey,
    previous?.features ? { ...signedOut, features: previous.features } : signedOut,
  );
  void queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey, refetchType: "none" });
}

/** Removes every cached query but the session's: nothing about a user outlives their session. */
export function forgetUserData(queryClient: QueryClient): void {
  queryClient.removeQueries({
    predicate: (query) => query.queryKey[0] !== sessionQuery.queryKey[0],
  });
}

export function useForgetSignedOutUser(signedOut: boolean): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (signedOut) forgetUserData(queryClient);
  }, [signedOut, queryClient]);
}

/** Retry only what may heal by itself: no answer, or a 5xx. Never a 4xx. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (!isApiRequestError(error)) return false;
  const transient = error.status === 0 || error.status >= 500;
  return transient && failureCount < 2;
}

export interface QueryClientOptions {
  /** Delay before a retry, in ms; default TanStack's exponential backoff (1 s, 2 s). */
  retryDelay?: number;
}

/** Photos and other decoration: their failures and successes decide nothing (see `api/photos.ts`). */
function isDecoration(meta: Record<string, unknown> | undefined): boolean {
  return meta?.decoration === true;
}

/**
 * A claims challenge or consent request sends the browser to sign-in (see
 * `interactive-sign-in.ts`, which also guards against loops); a lost session shows the
 * signed-out page. The challenged query's later success proves the sign-in satisfied it.
 */
export function createQueryClient(options: QueryClientOptions = {}): QueryClient {
  const interactiveSignIn = createInteractiveSignIn();
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isSessionLost(error)) showSignedOut(queryClient);
        else if (!isDecoration(query.meta)) interactiveSignIn.handle(error, query.queryHash);
      },
      onSuccess: (_data, query) => {
        if (query.queryKey[0] === sessionQuery.queryKey[0] || isDecoration(query.meta)) return;
        interactiveSignIn.satisfied(query.queryHash);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isSessionLost(error)) showSignedOut(queryClient);
        else interactiveSignIn.handle(error);
      },
    }),
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        ...(options.retryDelay === undefined ? {} : { retryDelay: options.retryDelay }),
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
