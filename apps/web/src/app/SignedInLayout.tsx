/** Pages that need a session: while it is checked, when it failed, signed out, or the page. */
import { useQuery } from "@tanstack/react-query";
import { Outlet } from "@tanstack/react-router";
import { ErrorState } from "../components/ErrorState.tsx";
import { PageAlerts } from "../components/page-alerts.tsx";
import { Spinner } from "../components/Spinner.tsx";
import { SessionEnded } from "../features/session/SessionEnded.tsx";
import { SignInCallToAction } from "../features/session/SignInCallToAction.tsx";
import { useSessionEnd } from "../features/session/session-end.ts";
import { sessionQuery } from "../features/session/session-query.ts";

export function SignedInLayout() {
  const session = useQuery(sessionQuery);
  const { reason } = useSessionEnd();

  if (session.isPending) {
    return (
      <div className="page-loading">
        <Spinner label="Checking your sign-in…" />
        <p aria-hidden="true">Checking your sign-in…</p>
      </div>
    );
  }
  if (session.isError) {
    return (
      <div className="page-error">
        <h1 className="visually-hidden" tabIndex={-1}>
          Contoso Profile
        </h1>
        <PageAlerts />
        <ErrorState
          title="We could not check whether you are signed in"
          headingLevel={2}
          error={session.error}
          onRetry={() => void session.refetch()}
          retrying={session.isFetching}
        />
      </div>
    );
  }
  if (!session.data.authenticated) {
    // The URL stays as it is: signing in again comes back to this very page.
    return reason ? <SessionEnded reason={reason} /> : <SignInCallToAction />;
  }
  return <Outlet />;
}
