/** `/admin-consent`: what admin consent does, a form to start it, and how it ended. */
import { useId, useRef, useState } from "react";
import { useFocusOnMount } from "../../components/focus.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { navigateTo } from "../../lib/navigation.ts";
import { type AdminConsentOutcome, adminConsentUrl, checkTenant } from "./admin-consent.ts";

export function AdminConsentPage({ outcome }: { outcome: AdminConsentOutcome | undefined }) {
  return (
    <>
      <PageHeader
        title="Set up Contoso Profile for your organization"
        lead="For administrators of a Microsoft Entra organization that wants to use this app."
      />
      {outcome ? <Outcome outcome={outcome} /> : null}
      <div className="layout-grid">
        <section className="card" aria-labelledby="admin-consent-what">
          <h2 id="admin-consent-what" className="card__title">
            What admin consent does
          </h2>
          <div className="prose">
            <p>
              Before people in your organization can sign in, an administrator grants this app the
              permissions it needs, once, for everyone: signing people in, reading their profile and
              their colleagues' basic profiles from Microsoft Graph, and keeping their tasks in our
              Tasks API.
            </p>
            <p>
              You will sign in at Microsoft with an administrator account (a Global, Application or
              Cloud Application Administrator) and see the exact list of permissions before you
              accept. You can remove the app at any time under Enterprise applications in the
              Microsoft Entra admin center.
            </p>
          </div>
        </section>
        <TenantForm />
      </div>
    </>
  );
}

function TenantForm() {
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const hintId = useId();
  const problemId = useId();
  return (
    <section className="card" aria-labelledby="admin-consent-start">
      <h2 id="admin-consent-start" className="card__title">
        Grant consent
      </h2>
      <form
        className="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const checked = checkTenant(value);
          if ("problem" in checked) {
            setProblem(checked.problem);
            input.current?.focus();
            return;
          }
          navigateTo(adminConsentUrl(checked.tenant));
        }}
      >
        <label className="field__label" htmlFor={inputId}>
          Tenant ID or domain
        </label>
        <input
          id={inputId}
          ref={input}
          className="field__input"
          value={value}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? `${hintId} ${problemId}` : hintId}
          onChange={(event) => {
            setValue(event.target.value);
            setProblem(undefined);
          }}
        />
        <p id={hintId} className="field__hint">
          Like contoso.onmicrosoft.com, or the Directory (tenant) ID from the Microsoft Entra admin
          center.
        </p>
        {problem ? (
          <p id={problemId} className="field__error">
            {problem}
          </p>
        ) : null}
        <div>
          <button type="submit" className="button button--primary">
            Continue to Microsoft
          </button>
        </div>
      </form>
    </section>
  );
}

function Outcome({ outcome }: { outcome: AdminConsentOutcome }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnMount(heading);
  if (outcome.result === "granted") {
    return (
      <div className="notice notice--success" role="status">
        <h2 ref={heading} tabIndex={-1} className="notice__title">
          Admin consent granted
        </h2>
        <p className="notice__text">
          {outcome.tenant
            ? `People in ${outcome.tenant} can now sign in to Contoso Profile.`
            : "People in your organization can now sign in to Contoso Profile."}
        </p>
      </div>
    );
  }
  return (
    <div className="notice notice--error" role="alert">
      <h2 ref={heading} tabIndex={-1} className="notice__title">
        Admin consent was not granted
      </h2>
      <p className="notice__text">{outcome.message}</p>
      {outcome.code ? <p className="notice__code">Error code: {outcome.code}</p> : null}
    </div>
  );
}
