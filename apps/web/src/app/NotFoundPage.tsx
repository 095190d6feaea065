/** Any path the SPA has no page for (the BFF serves index.html for every page navigation). */
import { Link } from "@tanstack/react-router";
import { PageHeader } from "../components/PageHeader.tsx";

export function NotFoundPage() {
  return (
    <div className="card not-found">
      <PageHeader title="Page not found" />
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </div>
  );
}
