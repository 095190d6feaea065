/** A page's title (its one `h1`), an optional lead line, then the app's notices. */
import { type ReactNode, useRef } from "react";
import { useTitleFocus } from "./navigation-focus.tsx";
import { PageAlerts } from "./page-alerts.tsx";

export function PageHeader({ title, lead }: { title: ReactNode; lead?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useTitleFocus(heading);
  return (
    <>
      <div className="page-heading">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {lead ? <p className="page-heading__lead">{lead}</p> : null}
      </div>
      <PageAlerts />
    </>
  );
}
