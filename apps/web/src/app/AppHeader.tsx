/** The top bar: product name, the pages, and who is signed in with the way out. */
import type { SessionUser } from "@entra-bff/contract";
import { Link } from "@tanstack/react-router";
import { myPhotoQuery } from "../api/photos.ts";
import { Avatar } from "../components/Avatar.tsx";
import { SignOutButton } from "../features/session/SignOutButton.tsx";
import { useSessionFeatures } from "../features/session/session-query.ts";

export function AppHeader({ user }: { user: SessionUser | undefined }) {
  // Customers have no organization's directory: no People, no photos.
  const { directory } = useSessionFeatures();
  return (
    <header className="topbar">
      <div className="topbar__inner">
        <Link className="brand" to="/">
          <span className="brand__mark" aria-hidden="true" />
          <span className="brand__name">Contoso Profile</span>
        </Link>
        {user ? (
          <nav className="topbar__nav" aria-label="Main">
            <Link to="/" className="topbar__link" activeOptions={{ exact: true }}>
              Profile
            </Link>
            {directory ? (
              <Link to="/people" className="topbar__link">
                People
              </Link>
            ) : null}
            <Link to="/tasks" className="topbar__link">
              Tasks
            </Link>
          </nav>
        ) : null}
        {user ? (
          <nav className="topbar__account" aria-label="Account">
            <Avatar
              name={user.name}
              size="sm"
              photo={directory ? myPhotoQuery(user.oid) : undefined}
            />
            <span className="topbar__user">
              <span className="topbar__name">{user.name}</span>
              <span className="topbar__username">{user.username}</span>
            </span>
            <SignOutButton />
          </nav>
        ) : null}
      </div>
    </header>
  );
}
