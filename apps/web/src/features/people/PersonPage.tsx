/** `/people/$id`: one person's card, from Graph's `/users/{id}`. */
import type { GraphUser } from "@entra-bff/contract";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useCanGoBack, useRouter } from "@tanstack/react-router";
import { isApiRequestError } from "../../api/client.ts";
import { userPhotoQuery } from "../../api/photos.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { ErrorState } from "../../components/ErrorState.tsx";
import { Field, telHref } from "../../components/Field.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { displayNameOf, personFromSearchResults, personQuery } from "./people-query.ts";

export function PersonPage({ userId, id }: { userId: string; id: string }) {
  const queryClient = useQueryClient();
  const person = useQuery({
    ...personQuery(userId, id),
    placeholderData: () => personFromSearchResults(queryClient, userId, id),
  });
  const notFound = isApiRequestError(person.error) && person.error.status === 404;

  return (
    <>
      <BackToPeople />
      <PageHeader
        title={person.data ? displayNameOf(person.data) : notFound ? "Person not found" : "Person"}
      />
      <section
        className="card person"
        aria-label="Contact card"
        aria-busy={person.isPending || person.isPlaceholderData}
      >
        {person.data ? (
          <PersonDetails person={person.data} />
        ) : person.isPending ? (
          <p role="status">Loading this person's card…</p>
        ) : notFound ? (
          <div className="empty-state">
            <p>
              No one with this id is in your organization's directory. They may have left, or the
              link may be mistyped.
            </p>
            <p>
              <Link to="/people">Search the directory</Link>
            </p>
          </div>
        ) : (
          <ErrorState
            title="This person's card could not be loaded"
            error={person.error}
            onRetry={() => void person.refetch()}
            retrying={person.isFetching}
          />
        )}
      </section>
    </>
  );
}

/** Back to the results the user came from (with their search), or to People from a link. */
function BackToPeople() {
  const router = useRouter();
  const canGoBack = useCanGoBack();
  return canGoBack ? (
    <button type="button" className="back-link" onClick={() => router.history.back()}>
      <span aria-hidden="true">←</span> Back
    </button>
  ) : (
    <Link className="back-link" to="/people">
      <span aria-hidden="true">←</span> All people
    </Link>
  );
}

/**
 * With User.ReadBasic.All Graph answers null for what is not in the basic profile (job
 * title, office, phones), whether or not it is set: "Not available" is the honest word.
 */
const notAvailable = "Not available";

function PersonDetails({ person }: { person: GraphUser }) {
  const name = displayNameOf(person);
  const phones = person.businessPhones ?? [];
  return (
    <div className="profile__body">
      <div className="profile__identity">
        <Avatar name={name} size="lg" photo={userPhotoQuery(person.id)} />
        <div>
          <p className="profile__name">{name}</p>
          {person.jobTitle ? <p className="profile__title">{person.jobTitle}</p> : null}
        </div>
      </div>
      <dl className="fields">
        <Field label="Email" emptyText={notAvailable}>
          {person.mail ? <a href={`mailto:${person.mail}`}>{person.mail}</a> : null}
        </Field>
        <Field label="User principal name" emptyText={notAvailable}>
          {person.userPrincipalName}
        </Field>
        <Field label="Job title" emptyText={notAvailable}>
          {person.jobTitle}
        </Field>
        <Field label="Office" emptyText={notAvailable}>
          {person.officeLocation}
        </Field>
        <Field label="Business phone" emptyText={notAvailable}>
          {phones.length > 0 ? (
            <ul className="fields__list">
              {phones.map((phone) => (
                <li key={phone}>
                  <a href={telHref(phone)}>{phone}</a>
                </li>
              ))}
            </ul>
          ) : null}
        </Field>
        <Field label="Mobile phone" emptyText={notAvailable}>
          {person.mobilePhone ? (
            <a href={telHref(person.mobilePhone)}>{person.mobilePhone}</a>
          ) : null}
        </Field>
      </dl>
    </div>
  );
}
