/** How a failed query looks: what went wrong, and the way out (retry, or continue sign-in). */
import { apiErrorCodes } from "@entra-bff/contract";
import { isApiRequestError } from "../api/client.ts";
import {
  type InteractiveSignInCode,
  interactiveSignInFor,
} from "../features/session/interactive-sign-in.ts";

interface ErrorStateProps {
  title: string;
  error: unknown;
  onRetry: () => void;
  retrying?: boolean;
  /** Where the notice sits in the page outline: 3 inside a card, 2 directly under the page title. */
  headingLevel?: 2 | 3;
}

const interactionTitles: Record<InteractiveSignInCode, string> = {
  [apiErrorCodes.claimsChallenge]: "Your organization needs you to sign in again",
  [apiErrorCodes.consentRequired]: "More permissions are needed",
};

const repeatedSignInMessage =
  "You just signed in again, but that did not satisfy this requirement. Try once more; " +
  "if it keeps happening, contact your administrator.";

export function ErrorState({
  title,
  error,
  onRetry,
  retrying = false,
  headingLevel = 3,
}: ErrorStateProps) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const apiError = isApiRequestError(error) ? error : undefined;
  // Decided by the query client's handler, which sends the browser to sign-in when it is
  // safe; a foreign `loginUrl` never gets here (it would be an open redirect).
  const signIn = interactiveSignInFor(error);

  if (signIn?.status === "redirecting") {
    return (
      <div className="redirecting" role="status">
        <span className="spinner__ring" aria-hidden="true" />
        <p>Taking you to Microsoft sign-in…</p>
      </div>
    );
  }

  if (signIn) {
    return (
      <div className="notice notice--warning" role="alert">
        <Heading className="notice__title">{interactionTitles[signIn.request.code]}</Heading>
        <p className="notice__text">
          {signIn.reason === "repeated" ? repeatedSignInMessage : apiError?.message}
        </p>
        <div className="notice__actions">
          <a className="button button--primary" href={signIn.request.loginUrl}>
            Continue to sign in
          </a>
        </div>
      </div>
    );
  }

  const message =
    apiError?.message ??
    (error instanceof Error ? error.message : "Something went wrong. Please try again.");
  return (
    <div className="notice notice--error" role="alert">
      <Heading className="notice__title">{title}</Heading>
      <p className="notice__text">
        {message}
        {apiError?.retryAfter ? ` You can try again in ${apiError.retryAfter} seconds.` : null}
      </p>
      {apiError?.code ? <p className="notice__code">Error code: {apiError.code}</p> : null}
      <div className="notice__actions">
        <button
          type="button"
          className="button button--secondary"
          onClick={onRetry}
          disabled={retrying}
          aria-disabled={retrying}
        >
          {retrying ? "Retrying…" : "Try again"}
        </button>
      </div>
    </div>
  );
}
