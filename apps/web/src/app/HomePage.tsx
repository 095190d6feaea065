/** `/`: greeting, the profile (Graph's, or for customers their sign-in's) and the session. */
import { PageHeader } from "../components/PageHeader.tsx";
import { ProfileCard } from "../features/profile/ProfileCard.tsx";
import { SessionCard } from "../features/session/SessionCard.tsx";
import { useSessionFeatures, useSignedInSession } from "../features/session/session-query.ts";
import { editProfileUrl } from "../features/session/sign-in-url.ts";

export function HomePage() {
  const session = useSignedInSession();
  const features = useSessionFeatures();
  if (!session) return null;
  const { user, expiresAt } = session;
  const firstName = user.name.split(/\s+/)[0] || user.name;
  return (
    <>
      <PageHeader
        title={`Welcome, ${firstName}`}
        lead={
          features.customer
            ? "These are your account details, as our sign-in service keeps them."
            : "This is the profile Microsoft Graph has for you, fetched by our server on your behalf."
        }
      />
      <div className="layout-grid">
        <ProfileCard
          userId={user.oid}
          // Photos live in an organization's directory; customers have none.
          showPhoto={features.directory}
          editProfileHref={features.editProfile ? editProfileUrl() : undefined}
        />
        <SessionCard user={user} expiresAt={expiresAt} />
      </div>
    </>
  );
}
