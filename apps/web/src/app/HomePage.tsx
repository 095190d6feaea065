/** `/`: greeting, the Graph profile and the session. */
import { PageHeader } from "../components/PageHeader.tsx";
import { ProfileCard } from "../features/profile/ProfileCard.tsx";
import { SessionCard } from "../features/session/SessionCard.tsx";
import { useSignedInSession } from "../features/session/session-query.ts";

export function HomePage() {
  const session = useSignedInSession();
  if (!session) return null;
  const { user, expiresAt } = session;
  const firstName = user.name.split(/\s+/)[0] || user.name;
  return (
    <>
      <PageHeader
        title={`Welcome, ${firstName}`}
        lead="This is the profile Microsoft Graph has for you, fetched by our server on your behalf."
      />
      <div className="layout-grid">
        <ProfileCard userId={user.oid} />
        <SessionCard user={user} expiresAt={expiresAt} />
      </div>
    </>
  );
}
