/** How a failed query looks: what went wrong, and the way out (retry, or continue sign-in). */
import { apiErrorCodes } from "@entra-bff/contract";
import { isApiRequestError } from "../api/client.ts";
import { isSameOrigin } from "../lib/navigation.ts";

interface ErrorStateProps {
  title: string;
  error: unknown;
  onRetry: () => void;
  retrying?: boolean;
  /** Where the notice sits in the page outline: 3 inside a card, 2 directly under the page title. */
  headingLevel?: 2 | 3;
}

const interactionTitles: Record<string, string> = {
  [apiErrorCodes.claimsChallenge]: "Your organization needs you to sign in again",
  [apiErrorCodes.consentRequired]: "More permissions are needed",
};

export function ErrorState({
  title,
  error,
  onRetry,
  retrying = false,
  headingLevel = 3,
}: ErrorStateProps) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const apiError = isApiRequestError(error) ? error : undefined;
  // Only the BFF's own sign-in endpoint may continue a sign-in: a foreign URL here would be
  // an open redirect.
  const loginUrl =
    apiError?.loginUrl && isSameOrigin(apiError.loginUrl) ? apiError.loginUrl : undefined;
  const interactionTitle = apiError ? interactionTitles[apiError.code] : undefined;

  if (loginUrl) {
    return (
      <div className="notice notice--warning" role="alert">
        <Heading className="notice__title">{interactionTitle ?? "Sign-in needed"}</Heading>
        <p className="notice__text">{apiError?.message}</p>
        <div className="notice__actions">
          <a className="button button--primary" href={loginUrl}>
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
