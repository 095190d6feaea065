/**
 * The frame of every page: header, main, footer; the session's app-wide effects (renewal at
 * expiry, tabs kept in step, cached data forgotten on sign-out); and the notices each page
 * shows under its title.
 */
import { useQuery } from "@tanstack/react-query";
import { Outlet, useRouterState } from "@tanstack/react-router";
import { useRef } from "react";
import { NavigationFocusProvider, useNavigationFocus } from "../components/navigation-focus.tsx";
import { PageAlertsProvider } from "../components/page-alerts.tsx";
import { SessionExpiryWarning } from "../features/session/SessionExpiryWarning.tsx";
import { SignInErrorAlert } from "../features/session/SignInErrorAlert.tsx";
import { useSessionEndTracking } from "../features/session/session-end.ts";
import { sessionQuery } from "../features/session/session-query.ts";
import { useSessionRefreshAt } from "../features/session/use-session-refresh.ts";
import { useSessionSync } from "../features/session/use-session-sync.ts";
import { useSignInError } from "../features/session/use-sign-in-error.ts";
import { AppHeader } from "./AppHeader.tsx";
import { useForgetSignedOutUser } from "./query-client.ts";

export function RootLayout() {
  const session = useQuery(sessionQuery);
  const signInError = useSignInError();
  const user = session.data?.authenticated ? session.data.user : undefined;
  const authenticated = session.isSuccess ? user !== undefined : undefined;
  useSessionRefreshAt(user ? session.data?.expiresAt : undefined);
  useForgetSignedOutUser(session.isSuccess && !user);
  useSessionSync(authenticated);
  useSessionEndTracking(authenticated);

  const pathname = useRouterState({ select: (state) => state.resolvedLocation?.pathname });
  const main = useRef<HTMLElement>(null);
  const navigationFocus = useNavigationFocus(pathname, main);

  const alerts = (
    <>
      {signInError.error ? (
        <SignInErrorAlert
          error={signInError.error}
          signedIn={user !== undefined}
          onDismiss={signInError.dismiss}
        />
      ) : null}
      {user && session.data?.expiresAt ? (
        <SessionExpiryWarning userId={user.oid} expiresAt={session.data.expiresAt} />
      ) : null}
    </>
  );

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppHeader user={user} />
      <NavigationFocusProvider value={navigationFocus}>
        <PageAlertsProvider value={alerts}>
          <main id="main" ref={main} className="main" tabIndex={-1} aria-busy={session.isPending}>
            <Outlet />
          </main>
        </PageAlertsProvider>
      </NavigationFocusProvider>
      <footer className="footer">
        <p>Contoso Profile · Sign-in by Microsoft Entra ID.</p>
      </footer>
    </div>
  );
}
