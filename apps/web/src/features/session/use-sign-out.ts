/** Sign-out: a POST the BFF can check for forgery, then Entra's end-session page. */
import { type LogoutResponse, paths } from "@entra-bff/contract";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { requestJson } from "../../api/client.ts";
import { navigateTo } from "../../lib/navigation.ts";
import { sessionChannel } from "./session-channel.ts";

/**
 * Posts to `/auth/logout` asking for JSON (a `fetch` cannot follow the cross-origin 303 the
 * BFF otherwise sends), forgets everything cached about the user, then navigates to the
 * end-session URL so Entra ends its own session too. The other tabs hear of it first: this
 * page may be gone before anything after the navigation runs.
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => requestJson<LogoutResponse>(paths.logout, { method: "POST" }),
    onSuccess: ({ redirectTo }) => {
      sessionChannel().post({ type: "signed-out" });
      navigateTo(redirectTo);
      queryClient.clear();
    },
  });
}
