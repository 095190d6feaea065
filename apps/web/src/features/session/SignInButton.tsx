/** A real link to the BFF's `/auth/login`: works without JavaScript and keeps the deep link. */
import { MicrosoftLogo } from "../../components/MicrosoftLogo.tsx";
import { signInUrl } from "./sign-in-url.ts";

export function SignInButton({ label = "Sign in with Microsoft" }: { label?: string }) {
  return (
    <a className="button button--microsoft" href={signInUrl()}>
      <MicrosoftLogo />
      <span>{label}</span>
    </a>
  );
}
