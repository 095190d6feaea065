/** The signed-out page: what the app is, and the way in (and, where offered, sign-up). */
import { PageAlerts } from "../../components/page-alerts.tsx";
import { SignInButton } from "./SignInButton.tsx";
import { useSessionFeatures } from "./session-query.ts";
import { signUpUrl } from "./sign-in-url.ts";

export function SignInCallToAction() {
  const features = useSessionFeatures();
  return features.customer ? (
    <CustomerSignIn signUp={features.signUp} />
  ) : (
    <section className="hero" aria-labelledby="sign-in-heading">
      <div className="hero__body">
        <p className="eyebrow">Contoso Profile</p>
        <h1 id="sign-in-heading" className="hero__title" tabIndex={-1}>
          Your work profile, in one place
        </h1>
        <PageAlerts />
        <p className="hero__lead">
          Sign in with your work or school account to see the profile your organization keeps for
          you in Microsoft Entra ID, find colleagues and keep your tasks.
        </p>
        <SignInButton />
        <p className="hero__fineprint">
          You will be sent to Microsoft to sign in, then brought back here.
        </p>
      </div>
      <ul className="hero__points" aria-label="How your sign-in is protected">
        <li>
          <strong>No tokens in the browser.</strong> Access tokens stay on our server; this page
          only holds an encrypted, HttpOnly session cookie.
        </li>
        <li>
          <strong>Straight from Microsoft Graph.</strong> Your name, contact details and office come
          from your directory profile.
        </li>
        <li>
          <strong>Signing out signs you out of Microsoft too.</strong> It ends this app's session
          and your Microsoft sign-in in this browser, so the next person here has to sign in.
        </li>
      </ul>
    </section>
  );
}

/**
 * A customer tenant (External ID, Azure AD B2C): the customer's own account with this app,
 * not a work account; "Create account" where the tenant offers self-service sign-up.
 */
function CustomerSignIn({ signUp }: { signUp: boolean }) {
  return (
    <section className="hero" aria-labelledby="sign-in-heading">
      <div className="hero__body">
        <p className="eyebrow">Contoso Profile</p>
        <h1 id="sign-in-heading" className="hero__title" tabIndex={-1}>
          Your Contoso account
        </h1>
        <PageAlerts />
        <p className="hero__lead">
          Sign in to see your account details and keep your tasks.
          {signUp ? " New here? Create an account with your email address." : null}
        </p>
        <div className="hero__actions">
          <SignInButton customer />
          {signUp ? (
            <a className="button button--secondary" href={signUpUrl()}>
              Create account
            </a>
          ) : null}
        </div>
        <p className="hero__fineprint">
          You will be sent to our sign-in page, then brought back here.
        </p>
      </div>
      <ul className="hero__points" aria-label="How your sign-in is protected">
        <li>
          <strong>No tokens in the browser.</strong> Access tokens stay on our server; this page
          only holds an encrypted, HttpOnly session cookie.
        </li>
        <li>
          <strong>Signing out ends your sign-in.</strong> It ends this app's session and your
          sign-in in this browser, so the next person here has to sign in.
        </li>
      </ul>
    </section>
  );
}
