/** `/people?q=`: the People page, its search kept in the URL. */
import { getRouteApi } from "@tanstack/react-router";
import { useCallback } from "react";
import { PeoplePage } from "../../features/people/PeoplePage.tsx";
import { useSignedInSession } from "../../features/session/session-query.ts";

const route = getRouteApi("/signed-in/people");

export function PeopleRoute() {
  const session = useSignedInSession();
  const { q } = route.useSearch();
  const navigate = route.useNavigate();
  // Each settled search replaces the entry: back leaves People rather than undoing keystrokes.
  const onTermChange = useCallback(
    (term: string) => void navigate({ search: { q: term || undefined }, replace: true }),
    [navigate],
  );
  if (!session) return null;
  return <PeoplePage userId={session.user.oid} term={q ?? ""} onTermChange={onTermChange} />;
}
