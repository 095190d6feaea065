/**
 * What a signed-in user sees when their session is gone: why, and one way back to the page
 * they were on (the sign-in returns to this URL, `#fragment` included).
 */
import { useRef } from "react";
import { useFocusOnMount } from "../../components/focus.ts";
import { PageAlerts } from "../../components/page-alerts.tsx";
import { SignInButton } from "./SignInButton.tsx";
import type { SessionEndReason } from "./session-end.ts";
import { useSessionFeatures } from "./session-query.ts";

const copy: Record<SessionEndReason, { title: string; text: string }> = {
  expired: {
    title: "Your session ended",
    text: "For your security you were signed out. Sign in again to continue where you left off.",
  },
  "signed-out-elsewhere": {
    title: "You signed out",
    text: "You signed out in another tab or window. Sign in again to continue here.",
  },
};

export function SessionEnded({ reason }: { reason: SessionEndReason }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The page the user was reading is gone from under them: say why, where focus is.
  useFocusOnMount(heading);
  const { title, text } = copy[reason];
  const { customer } = useSessionFeatures();
  return (
    <section className="session-ended card" aria-labelledby="session-ended-heading">
      <h1 id="session-ended-heading" ref={heading} tabIndex={-1} className="session-ended__title">
        {title}
      </h1>
      <PageAlerts />
      <p className="session-ended__text">{text}</p>
      <div>
        <SignInButton label="Sign in again" customer={customer} />
      </div>
    </section>
  );
}
