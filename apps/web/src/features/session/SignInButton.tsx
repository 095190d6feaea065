/** A real link to the BFF's `/auth/login`: works without JavaScript and keeps the deep link. */
import { MicrosoftLogo } from "../../components/MicrosoftLogo.tsx";
import { signInUrl } from "./sign-in-url.ts";

/**
 * `customer`: a customer tenant (External ID, B2C) signs people in with the app's own
 * account, not "with Microsoft": a plain primary button.
 */
export function SignInButton({ label, customer = false }: { label?: string; customer?: boolean }) {
  if (customer) {
    return (
      <a className="button button--primary" href={signInUrl()}>
        {label ?? "Sign in"}
      </a>
    );
  }
  return (
    <a className="button button--microsoft" href={signInUrl()}>
      <MicrosoftLogo />
      <span>{label ?? "Sign in with Microsoft"}</span>
    </a>
  );
}
