/** Reads the `?authError=` the BFF's callback leaves on a failed sign-in, once. */
import {
  isSignInErrorCode,
  type SignInErrorCode,
  signInErrorMessages,
  signInErrorParam,
} from "@entra-bff/contract";
import { useRouter } from "@tanstack/react-router";
import { useCallback, useEffect, useState } from "react";

export interface SignInError {
  /** Only known codes; an unknown value from the URL is never echoed back to the page. */
  code: SignInErrorCode | undefined;
  message: string;
}

const genericMessage = "Sign-in did not complete. Please try again.";

export function signInErrorFromUrl(href: string): SignInError | undefined {
  const value = new URL(href).searchParams.get(signInErrorParam);
  if (value === null) return undefined;
  return isSignInErrorCode(value)
    ? { code: value, message: signInErrorMessages[value] }
    : { code: undefined, message: genericMessage };
}

/**
 * The sign-in error from the page URL, removed from the address bar at once (through the
 * router, which would otherwise put it back) so that a reload or a bookmark does not show it
 * again.
 */
export function useSignInError(): { error: SignInError | undefined; dismiss: () => void } {
  const [error, setError] = useState(() => signInErrorFromUrl(window.location.href));
  const { history } = useRouter();

  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has(signInErrorParam)) return;
    url.searchParams.delete(signInErrorParam);
    history.replace(`${url.pathname}${url.search}${url.hash}`, history.location.state);
  }, [history]);

  const dismiss = useCallback(() => setError(undefined), []);
  return { error, dismiss };
}
