/** Facts about the current session, from `/auth/session` (ID-token claims, never a token). */
import type { SessionUser } from "@entra-bff/contract";
import { SessionExpiry } from "./SessionExpiry.tsx";

export function SessionCard({ user, expiresAt }: { user: SessionUser; expiresAt?: string }) {
  return (
    <section className="card session" aria-labelledby="session-heading">
      <header className="card__header">
        <h2 id="session-heading" className="card__title">
          Your session
        </h2>
        <span className="badge badge--success">Active</span>
      </header>
      <dl className="fields fields--stacked">
        <div className="fields__row">
          <dt>Signed in as</dt>
          <dd>{user.username}</dd>
        </div>
        <div className="fields__row">
          <dt>Session ends</dt>
          <dd>{expiresAt ? <SessionExpiry expiresAt={expiresAt} /> : "When you sign out"}</dd>
        </div>
        <div className="fields__row">
          <dt>Directory (tenant)</dt>
          <dd className="mono">{user.tenantId}</dd>
        </div>
      </dl>
      <p className="session__note">
        Your Microsoft tokens stay on the server. This browser only holds an encrypted, HttpOnly
        session cookie that page scripts cannot read.
      </p>
    </section>
  );
}
