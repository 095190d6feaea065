/** Starts sign-out; failures are shown next to the button so the user can retry. */
import { useSignOut } from "./use-sign-out.ts";

export function SignOutButton() {
  const signOut = useSignOut();
  const busy = signOut.isPending || signOut.isSuccess;
  return (
    <div className="sign-out">
      <button
        type="button"
        className="button button--secondary button--small"
        onClick={() => signOut.mutate()}
        disabled={busy}
        aria-busy={busy}
      >
        {busy ? "Signing out…" : "Sign out"}
      </button>
      {signOut.isError ? (
        <p className="sign-out__error" role="alert">
          Sign-out failed: {signOut.error.message}
        </p>
      ) : null}
    </div>
  );
}
