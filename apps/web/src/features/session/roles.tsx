/**
 * App roles (`/auth/session`'s `user.roles`, from the ID token) for showing or hiding what a
 * user may use. Display only: the BFF enforces roles on the declared APIs that require them
 * (`roles` in DOWNSTREAM_APIS_FILE), so hiding a feature here protects nothing by itself.
 */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { sessionQuery } from "./session-query.ts";

/** Whether the signed-in user holds `role` (case-sensitive, as Entra compares role values). */
export function useHasRole(role: string): boolean {
  const { data } = useQuery({
    ...sessionQuery,
    select: (session) => (session.authenticated && session.user?.roles?.includes(role)) === true,
  });
  return data === true;
}

/** Renders `children` only for a user holding `role`; otherwise `fallback` (default nothing). */
export function RequireRole({
  role,
  children,
  fallback = null,
}: {
  role: string;
  children: ReactNode;
  fallback?: ReactNode;
}) {
  return <>{useHasRole(role) ? children : fallback}</>;
}
