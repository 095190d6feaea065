/** Keeps this tab's session in step with the other tabs of the same browser. */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { showSignedOut } from "../../app/query-client.ts";
import { sessionChannel } from "./session-channel.ts";
import { sessionQuery } from "./session-query.ts";

/**
 * `authenticated` is undefined until the session is known. A tab announces every change it
 * sees, and also being signed in when it first loads (a sign-in ends in a fresh page load,
 * so that is how the other tabs learn of it). A tab that hears "signed-out" shows the
 * signed-out page at once (its user data then goes, see `useForgetSignedOutUser`) and asks
 * the BFF to confirm; on "signed-in" it asks the BFF. Echoes stop after one round: a tab
 * only announces a change, and the tab that caused it has nothing left to change.
 */
export function useSessionSync(authenticated: boolean | undefined): void {
  const queryClient = useQueryClient();
  const previous = useRef<boolean | undefined>(undefined);

  useEffect(() => {
    if (authenticated === undefined || authenticated === previous.current) return;
    const announce = authenticated || previous.current !== undefined;
    previous.current = authenticated;
    if (announce) sessionChannel().post({ type: authenticated ? "signed-in" : "signed-out" });
  }, [authenticated]);

  useEffect(
    () =>
      sessionChannel().subscribe((message) => {
        if (message.type === "signed-out") showSignedOut(queryClient, "signed-out-elsewhere");
        void queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey });
      }),
    [queryClient],
  );
}
