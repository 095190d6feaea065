/** The top bar: product name, and who is signed in with the way out. */
import type { SessionUser } from "@entra-bff/contract";
import { Avatar } from "../components/Avatar.tsx";
import { SignOutButton } from "../features/session/SignOutButton.tsx";

export function AppHeader({ user }: { user: SessionUser | undefined }) {
  return (
    <header className="topbar">
      <div className="topbar__inner">
        <a className="brand" href="/">
          <span className="brand__mark" aria-hidden="true" />
          <span className="brand__name">Contoso Profile</span>
        </a>
        {user ? (
          <nav className="topbar__account" aria-label="Account">
            <Avatar name={user.name} size="sm" />
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
