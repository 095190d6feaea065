/** `/people/$id`: one person's card. */
import { getRouteApi } from "@tanstack/react-router";
import { PersonPage } from "../../features/people/PersonPage.tsx";
import { useSignedInSession } from "../../features/session/session-query.ts";

const route = getRouteApi("/signed-in/people/$id");

export function PersonRoute() {
  const session = useSignedInSession();
  const { id } = route.useParams();
  if (!session) return null;
  // Keyed by id: another person's card starts fresh (focus, loading state).
  return <PersonPage key={id} userId={session.user.oid} id={id} />;
}
