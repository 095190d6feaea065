/** Composes the features: the session decides between the signed-out and signed-in pages. */
import { useQuery } from "@tanstack/react-query";
import { ErrorState } from "../components/ErrorState.tsx";
import { Spinner } from "../components/Spinner.tsx";
import { SessionExpiryWarning } from "../features/session/SessionExpiryWarning.tsx";
import { SignInCallToAction } from "../features/session/SignInCallToAction.tsx";
import { SignInErrorAlert } from "../features/session/SignInErrorAlert.tsx";
import { sessionQuery } from "../features/session/session-query.ts";
import { useSessionRefreshAt } from "../features/session/use-session-refresh.ts";
import { useSessionSync } from "../features/session/use-session-sync.ts";
import { useSignInError } from "../features/session/use-sign-in-error.ts";
import { AppHeader } from "./AppHeader.tsx";
import { useForgetSignedOutUser } from "./query-client.ts";
import { SignedInHome } from "./SignedInHome.tsx";

export function App() {
  const session = useQuery(sessionQuery);
  const signInError = useSignInError();
  const user = session.data?.authenticated ? session.data.user : undefined;
  useSessionRefreshAt(user ? session.data?.expiresAt : undefined);
  useForgetSignedOutUser(session.isSuccess && !user);
  useSessionSync(session.isSuccess ? user !== undefined : undefined);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppHeader user={user} />
      <main id="main" className="main" tabIndex={-1} aria-busy={session.isPending}>
        {signInError.error ? (
          <SignInErrorAlert error={signInError.error} onDismiss={signInError.dismiss} />
        ) : null}
        {user && session.data?.expiresAt ? (
          <SessionExpiryWarning userId={user.oid} expiresAt={session.data.expiresAt} />
        ) : null}
        {session.isPending ? (
          <div className="page-loading">
            <Spinner label="Checking your sign-in…" />
            <p aria-hidden="true">Checking your sign-in…</p>
          </div>
        ) : session.isError ? (
          <div className="page-error">
            <h1 className="visually-hidden">Contoso Profile</h1>
            <ErrorState
              title="We could not check whether you are signed in"
              headingLevel={2}
              error={session.error}
              onRetry={() => void session.refetch()}
              retrying={session.isFetching}
            />
          </div>
        ) : user ? (
          <SignedInHome user={user} expiresAt={session.data.expiresAt} />
        ) : (
          <SignInCallToAction />
        )}
      </main>
      <footer className="footer">
        <p>
          Contoso Profile · Sign-in by Microsoft Entra ID. Your tokens stay on our server, never in
          this page.
        </p>
      </footer>
    </div>
  );
}
