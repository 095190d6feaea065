/** Why the last sign-in failed, with a way to try again. */
import { SignInButton } from "./SignInButton.tsx";
import type { SignInError } from "./use-sign-in-error.ts";

export function SignInErrorAlert({
  error,
  onDismiss,
}: {
  error: SignInError;
  onDismiss: () => void;
}) {
  return (
    <div className="notice notice--error notice--banner" role="alert">
      <div className="notice__content">
        <h2 className="notice__title">You are not signed in</h2>
        <p className="notice__text">{error.message}</p>
        {error.code ? <p className="notice__code">Error code: {error.code}</p> : null}
        <div className="notice__actions">
          <SignInButton label="Try again" />
        </div>
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
