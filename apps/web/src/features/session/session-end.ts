/**
 * Why a signed-in tab now shows the user signed out, so the page can say so ("your session
 * ended") instead of greeting them like a stranger. One record per query client (per page).
 */
import type { QueryClient } from "@tanstack/react-query";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";

export type SessionEndReason =
  /** Idle or absolute expiry, a revoked session, or the BFF answered 401 for it. */
  | "expired"
  /** Another tab of this browser signed out. */
  | "signed-out-elsewhere";

interface SessionEndStore {
  reason: SessionEndReason | undefined;
  listeners: Set<() => void>;
}

const stores = new WeakMap<QueryClient, SessionEndStore>();

function storeOf(queryClient: QueryClient): SessionEndStore {
  let store = stores.get(queryClient);
  if (!store) {
    store = { reason: undefined, listeners: new Set() };
    stores.set(queryClient, store);
  }
  return store;
}

function set(queryClient: QueryClient, reason: SessionEndReason | undefined): void {
  const store = storeOf(queryClient);
  if (store.reason === reason) return;
  store.reason = reason;
  for (const listener of store.listeners) listener();
}

/** Records why the session ended; a reason already recorded is kept (the first one is the cause). */
export function recordSessionEnd(queryClient: QueryClient, reason: SessionEndReason): void {
  if (storeOf(queryClient).reason === undefined) set(queryClient, reason);
}

export function sessionEndReason(queryClient: QueryClient): SessionEndReason | undefined {
  return storeOf(queryClient).reason;
}

/** The recorded reason, and a way to forget it (a new session began). */
export function useSessionEnd(): {
  reason: SessionEndReason | undefined;
  forget: () => void;
} {
  const queryClient = useQueryClient();
  const store = storeOf(queryClient);
  const reason = useSyncExternalStore(
    useCallback(
      (listener: () => void) => {
        store.listeners.add(listener);
        return () => store.listeners.delete(listener);
      },
      [store],
    ),
    () => store.reason,
  );
  const forget = useCallback(() => set(queryClient, undefined), [queryClient]);
  return { reason, forget };
}

/**
 * Watches the session: signed in, then signed out without a recorded reason (the expiry
 * timer or a window-focus check found it gone) means it expired. Signed in again: a new
 * session, nothing to explain.
 */
export function useSessionEndTracking(authenticated: boolean | undefined): void {
  const queryClient = useQueryClient();
  const previous = useRef<boolean | undefined>(undefined);
  useEffect(() => {
    if (authenticated === undefined) return;
    if (authenticated) set(queryClient, undefined);
    else if (previous.current === true) recordSessionEnd(queryClient, "expired");
    previous.current = authenticated;
  }, [authenticated, queryClient]);
}
