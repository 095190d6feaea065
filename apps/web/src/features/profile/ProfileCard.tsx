/**
 * The profile card (Graph's, or for B2C the ID token's), with its loading and error states
 * and, where B2C's profile editing is set up, an "Edit profile" action.
 */
import { type Profile, type ProfileField, profileFields } from "@entra-bff/contract";
import { useQuery } from "@tanstack/react-query";
import { myPhotoQuery } from "../../api/photos.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { ErrorState } from "../../components/ErrorState.tsx";
import { Field, telHref } from "../../components/Field.tsx";
import { Spinner } from "../../components/Spinner.tsx";
import { profileQuery } from "./profile-query.ts";

export interface ProfileCardProps {
  userId: string;
  /** The user's photo from Graph (an organization's directory); customers have none. */
  showPhoto?: boolean;
  /** Where "Edit profile" goes (B2C's profile editing); no action without. */
  editProfileHref?: string | undefined;
}

export function ProfileCard({ userId, showPhoto = true, editProfileHref }: ProfileCardProps) {
  const profile = useQuery(profileQuery(userId));
  const fromSignIn = profile.data?.source === "id_token";

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
          {profile.isRefetching ? (
            <Spinner label="Refreshing profile" />
          ) : fromSignIn ? (
            "From your sign-in"
          ) : (
            "From Microsoft Graph"
          )}
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
        <ProfileDetails
          userId={userId}
          profile={profile.data}
          showPhoto={showPhoto}
          editProfileHref={editProfileHref}
        />
      )}
    </section>
  );
}

/**
 * Graph's profile lists every property ("Not set" where the directory has none). One from the
 * ID token (B2C) lists only the properties the token had: the others are not unset, just
 * unknown to it, so they get no row at all.
 */
function ProfileDetails({
  userId,
  profile,
  showPhoto,
  editProfileHref,
}: {
  userId: string;
  profile: Profile;
  showPhoto: boolean;
  editProfileHref: string | undefined;
}) {
  const name =
    profile.displayName ?? ([profile.givenName, profile.surname].filter(Boolean).join(" ") || null);
  const known = new Set<ProfileField>(profile.fields ?? profileFields);
  const shown = (field: ProfileField) => known.has(field);
  // Graph's card names the person in its heading; the ID token's has little else to show.
  const fromToken = profile.source === "id_token";
  return (
    <div className="profile__body">
      <div className="profile__identity">
        <Avatar name={name} size="lg" photo={showPhoto ? myPhotoQuery(userId) : undefined} />
        <div>
          <p className="profile__name">{name ?? "Unnamed user"}</p>
          {profile.jobTitle ? <p className="profile__title">{profile.jobTitle}</p> : null}
        </div>
        {editProfileHref ? (
          <p className="profile__actions">
            <a className="button button--secondary button--small" href={editProfileHref}>
              Edit profile
            </a>
          </p>
        ) : null}
      </div>
      <dl className="fields">
        {fromToken && shown("givenName") ? (
          <Field label="Given name">{profile.givenName}</Field>
        ) : null}
        {fromToken && shown("surname") ? <Field label="Surname">{profile.surname}</Field> : null}
        {shown("mail") ? (
          <Field label="Email">
            {profile.mail ? <a href={`mailto:${profile.mail}`}>{profile.mail}</a> : null}
          </Field>
        ) : null}
        {shown("userPrincipalName") ? (
          <Field label="User principal name">{profile.userPrincipalName}</Field>
        ) : null}
        {shown("jobTitle") ? <Field label="Job title">{profile.jobTitle}</Field> : null}
        {shown("officeLocation") ? <Field label="Office">{profile.officeLocation}</Field> : null}
        {shown("businessPhones") ? (
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
        ) : null}
        {shown("mobilePhone") ? (
          <Field label="Mobile phone">
            {profile.mobilePhone ? (
              <a href={telHref(profile.mobilePhone)}>{profile.mobilePhone}</a>
            ) : null}
          </Field>
        ) : null}
        {shown("preferredLanguage") ? (
          <Field label="Preferred language">{languageName(profile.preferredLanguage)}</Field>
        ) : null}
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
