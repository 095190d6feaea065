/** Counts of the whole tenant's tasks (`GET /admin/summary`), for holders of `Tasks.Admin`. */
import { useQuery } from "@tanstack/react-query";
import { isApiRequestError } from "../../api/client.ts";
import { ErrorState } from "../../components/ErrorState.tsx";
import { teamSummaryQuery } from "./tasks-query.ts";

export function TeamSummary({ userId }: { userId: string }) {
  const summary = useQuery(teamSummaryQuery(userId));
  const forbidden = isApiRequestError(summary.error) && summary.error.status === 403;
  return (
    <section className="card team-summary" aria-labelledby="team-summary-heading">
      <header className="card__header">
        <h2 id="team-summary-heading" className="card__title">
          Team summary
        </h2>
        <span className="badge badge--info">Tasks.Admin</span>
      </header>
      {summary.isPending ? (
        <p role="status">Loading the summary…</p>
      ) : forbidden ? (
        <p className="notice__text">
          Your account no longer holds the Tasks.Admin role. Sign out and in again if it was given
          back to you.
        </p>
      ) : summary.isError ? (
        <ErrorState
          title="The summary could not be loaded"
          error={summary.error}
          onRetry={() => void summary.refetch()}
          retrying={summary.isFetching}
        />
      ) : (
        <dl className="fields fields--stacked">
          <div className="fields__row">
            <dt>People with tasks</dt>
            <dd>{summary.data.users}</dd>
          </div>
          <div className="fields__row">
            <dt>Tasks</dt>
            <dd>{summary.data.tasks}</dd>
          </div>
          <div className="fields__row">
            <dt>Done</dt>
            <dd>{summary.data.done}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
