/** A non-blocking notice shortly before the session ends, with a way to keep it going. */
import { useEffect, useRef, useState } from "react";
import { useFocusOnMount } from "../../components/focus.ts";
import { defaultWarningLeadMs, formatClockTime, warningTime } from "./expiry-warning-time.ts";
import { signInUrl } from "./sign-in-url.ts";
import { useStaySignedIn } from "./use-stay-signed-in.ts";

// setTimeout stores its delay in 32 bits; longer delays fire at once.
const maxTimerMs = 2_147_483_647;

function useWarningDue(expiresAt: string, leadMs: number): boolean {
  const [due, setDue] = useState(false);
  useEffect(() => {
    const end = Date.parse(expiresAt);
    if (Number.isNaN(end)) return;
    const delay = warningTime(end, Date.now(), leadMs) - Date.now();
    if (delay <= 0) {
      setDue(true);
      return;
    }
    setDue(false);
    if (delay > maxTimerMs) return;
    const timer = setTimeout(() => setDue(true), delay);
    return () => clearTimeout(timer);
  }, [expiresAt, leadMs]);
  return due;
}

export function SessionExpiryWarning({
  userId,
  expiresAt,
  leadMs = defaultWarningLeadMs,
}: {
  userId: string;
  expiresAt: string;
  leadMs?: number;
}) {
  const due = useWarningDue(expiresAt, leadMs);
  const stay = useStaySignedIn(userId, expiresAt);
  const { reset } = stay;
  // A new end time is a new session period: forget the last attempt's outcome.
  useEffect(() => reset(), [expiresAt, reset]);
  if (!due) return null;
  return <Warning expiresAt={expiresAt} stay={stay} />;
}

function Warning({
  expiresAt,
  stay,
}: {
  expiresAt: string;
  stay: ReturnType<typeof useStaySignedIn>;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(heading);
  const endsAt = formatClockTime(new Date(expiresAt));
  const absolute = stay.data?.extended === false;
  return (
    <div className="notice notice--warning notice--banner" role="alert" aria-live="assertive">
      <div className="notice__content">
        <h2 ref={heading} tabIndex={-1} className="notice__title">
          Your session ends at {endsAt}
        </h2>
        {absolute ? (
          <p className="notice__text">
            Your session has reached its maximum length. Please{" "}
            <a href={signInUrl()}>sign in again to continue</a>.
          </p>
        ) : (
          <>
            <p className="notice__text">To keep working without interruption, stay signed in.</p>
            <div className="notice__actions">
              <button
                type="button"
                className="button button--primary button--small"
                onClick={() => stay.mutate()}
                disabled={stay.isPending}
                aria-busy={stay.isPending}
              >
                {stay.isPending ? "Staying signed in…" : "Stay signed in"}
              </button>
            </div>
            {stay.isError ? (
              <p className="notice__text">Could not extend your session: {stay.error.message}</p>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}
