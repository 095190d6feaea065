/** The Graph profile card, with its loading and error states. */
import type { Profile } from "@entra-bff/contract";
import { useQuery } from "@tanstack/react-query";
import { myPhotoQuery } from "../../api/photos.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { ErrorState } from "../../components/ErrorState.tsx";
import { Field, telHref } from "../../components/Field.tsx";
import { Spinner } from "../../components/Spinner.tsx";
import { profileQuery } from "./profile-query.ts";

export function ProfileCard({ userId }: { userId: string }) {
  const profile = useQuery(profileQuery(userId));

  return (
    <section
      className="card profile"
      aria-labelledby="profile-heading"
      aria-busy={profile.isPending || profile.isRefetching}
    >
      <header className="card__header">
        <h2 id="profile-heading" className="card__title">
          Profile
        </h2>
        <span className="card__meta">
          {profile.isRefetching ? <Spinner label="Refreshing profile" /> : "From Microsoft Graph"}
        </span>
      </header>
      {profile.isPending ? (
        <ProfileSkeleton />
      ) : profile.isError ? (
        <ErrorState
          title="Your profile could not be loaded"
          error={profile.error}
          onRetry={() => void profile.refetch()}
          retrying={profile.isFetching}
        />
      ) : (
        <ProfileDetails userId={userId} profile={profile.data} />
      )}
    </section>
  );
}

function ProfileDetails({ userId, profile }: { userId: string; profile: Profile }) {
  const name =
    profile.displayName ?? ([profile.givenName, profile.surname].filter(Boolean).join(" ") || null);
  return (
    <div className="profile__body">
      <div className="profile__identity">
        <Avatar name={name} size="lg" photo={myPhotoQuery(userId)} />
        <div>
          <p className="profile__name">{name ?? "Unnamed user"}</p>
          {profile.jobTitle ? <p className="profile__title">{profile.jobTitle}</p> : null}
        </div>
      </div>
      <dl className="fields">
        <Field label="Email">
          {profile.mail ? <a href={`mailto:${profile.mail}`}>{profile.mail}</a> : null}
        </Field>
        <Field label="User principal name">{profile.userPrincipalName}</Field>
        <Field label="Job title">{profile.jobTitle}</Field>
        <Field label="Office">{profile.officeLocation}</Field>
        <Field label="Business phone">
          {profile.businessPhones.length > 0 ? (
            <ul className="fields__list">
              {profile.businessPhones.map((phone) => (
                <li key={phone}>
                  <a href={telHref(phone)}>{phone}</a>
                </li>
              ))}
            </ul>
          ) : null}
        </Field>
        <Field label="Mobile phone">
          {profile.mobilePhone ? (
            <a href={telHref(profile.mobilePhone)}>{profile.mobilePhone}</a>
          ) : null}
        </Field>
        <Field label="Preferred language">{languageName(profile.preferredLanguage)}</Field>
      </dl>
    </div>
  );
}

function languageName(tag: string | null): string | null {
  if (!tag) return null;
  try {
    const name = new Intl.DisplayNames(undefined, { type: "language" }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

function ProfileSkeleton() {
  return (
    <div className="profile__body">
      <p className="visually-hidden" role="status">
        Loading your profile…
      </p>
      <div className="profile__identity" aria-hidden="true">
        <span className="skeleton skeleton--circle" />
        <div className="skeleton-stack">
          <span className="skeleton skeleton--line skeleton--w60" />
          <span className="skeleton skeleton--line skeleton--w40" />
        </div>
      </div>
      <div className="skeleton-stack" aria-hidden="true">
        {["a", "b", "c", "d", "e"].map((key) => (
          <span key={key} className="skeleton skeleton--line" />
        ))}
      </div>
    </div>
  );
}
