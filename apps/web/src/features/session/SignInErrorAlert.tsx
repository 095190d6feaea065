/**
 * Why the last sign-in did not complete. The page itself offers the one way on (its sign-in
 * button, or the request that needs the sign-in), so this notice has no button of its own.
 */
import { signInErrorCodes } from "@entra-bff/contract";
import { useRef } from "react";
import { useFocusOnMount } from "../../components/focus.ts";
import type { SignInError } from "./use-sign-in-error.ts";

export function SignInErrorAlert({
  error,
  signedIn,
  onDismiss,
}: {
  error: SignInError;
  /** A cancelled re-sign-in (consent, a claims challenge) leaves the session as it was. */
  signedIn: boolean;
  onDismiss: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(heading);

  // Cancelling is the user's own choice, not a failure: no red, no code.
  if (error.code === signInErrorCodes.accessDenied) {
    return (
      <div className="notice notice--info notice--banner" role="status">
        <div className="notice__content">
          <h2 ref={heading} tabIndex={-1} className="notice__title">
            Sign-in was cancelled
          </h2>
          <p className="notice__text">
            {signedIn
              ? "Nothing changed: you are still signed in as before."
              : "You are not signed in. Sign in whenever you are ready."}
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="notice notice--error notice--banner" role="alert">
      <div className="notice__content">
        <h2 ref={heading} tabIndex={-1} className="notice__title">
          {signedIn ? "Signing in again did not complete" : "You are not signed in"}
        </h2>
        <p className="notice__text">{error.message}</p>
        {error.code ? <p className="notice__code">Error code: {error.code}</p> : null}
      </div>
      <button
        type="button"
        className="icon-button notice__dismiss"
        onClick={onDismiss}
        aria-label="Dismiss sign-in error"
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
