/**
 * A page that failed to render or to load its code (a new deployment replaced the files this
 * tab was built with): say so and offer a reload, never a blank page.
 */
import type { ErrorComponentProps } from "@tanstack/react-router";
import { PageHeader } from "../components/PageHeader.tsx";

export function RouteError({ error }: ErrorComponentProps) {
  const chunkMissing =
    error instanceof TypeError && /dynamically imported module|import/i.test(error.message);
  return (
    <div className="card">
      <PageHeader title="This page could not be shown" />
      <div className="notice notice--error" role="alert">
        <p className="notice__text">
          {chunkMissing
            ? "A newer version of this app is available. Reload the page to use it."
            : "Something went wrong while showing this page. Reloading usually helps."}
        </p>
        <div className="notice__actions">
          <button
            type="button"
            className="button button--secondary"
            onClick={() => window.location.reload()}
          >
            Reload the page
          </button>
        </div>
      </div>
    </div>
  );
}
