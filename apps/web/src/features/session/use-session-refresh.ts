/** Re-reads the session when it is due to end, so an expired session shows as signed out. */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { sessionQuery } from "./session-query.ts";

// setTimeout stores its delay in 32 bits; longer delays fire at once.
const maxTimerMs = 2_147_483_647;

export function useSessionRefreshAt(expiresAt: string | undefined): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!expiresAt) return;
    const delay = new Date(expiresAt).getTime() - Date.now() + 1_000;
    if (!Number.isFinite(delay) || delay > maxTimerMs) return;
    const timer = setTimeout(
      () => void queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey }),
      Math.max(delay, 0),
    );
    return () => clearTimeout(timer);
  }, [expiresAt, queryClient]);
}
