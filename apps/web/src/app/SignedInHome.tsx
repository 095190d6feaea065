/** The signed-in page: greeting, the Graph profile and the session. */
import type { SessionUser } from "@entra-bff/contract";
import { ProfileCard } from "../features/profile/ProfileCard.tsx";
import { SessionCard } from "../features/session/SessionCard.tsx";

export function SignedInHome({ user, expiresAt }: { user: SessionUser; expiresAt?: string }) {
  const firstName = user.name.split(/\s+/)[0] || user.name;
  return (
    <>
      <div className="page-heading">
        <h1>Welcome, {firstName}</h1>
        <p className="page-heading__lead">
          This is the profile Microsoft Graph has for you, fetched by our server on your behalf.
        </p>
      </div>
      <div className="layout-grid">
        <ProfileCard userId={user.oid} />
        <SessionCard user={user} expiresAt={expiresAt} />
      </div>
    </>
  );
}
