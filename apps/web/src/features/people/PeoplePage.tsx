/**
 * `/people?q=`: search the directory as you type. The URL follows the search (after a pause
 * in typing), so back, forward, reload and a shared link all show the same results.
 */
import type { GraphUser } from "@entra-bff/contract";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useId, useRef, useState } from "react";
import { userPhotoQuery } from "../../api/photos.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { ErrorState } from "../../components/ErrorState.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { displayNameOf, maxTermLength, peopleSearchQuery, searchTermOf } from "./people-query.ts";
import { useDebounced } from "./use-debounced.ts";
import "./people.css";

export function PeoplePage({
  userId,
  term,
  onTermChange,
}: {
  userId: string;
  /** The search in the URL (`?q=`), already settled. */
  term: string;
  /** Called once typing pauses, with the cleaned-up term. */
  onTermChange: (term: string) => void;
}) {
  const [input, setInput] = useState(term);
  const settled = searchTermOf(useDebounced(input));
  const sent = useRef(term);

  // Typing paused: the URL (and so the search) follows.
  useEffect(() => {
    if (settled === sent.current) return;
    sent.current = settled;
    onTermChange(settled);
  }, [settled, onTermChange]);

  // Back or forward to another search: the field follows the URL.
  useEffect(() => {
    if (term === sent.current) return;
    sent.current = term;
    setInput(term);
  }, [term]);

  const inputId = useId();
  const hintId = useId();
  return (
    <>
      <PageHeader title="People" lead="Find colleagues in your organization's directory." />
      <section className="card people" aria-label="Directory search">
        {/* biome-ignore lint/a11y/useSemanticElements: <search> has no role in browsers and screen readers from before 2023. */}
        <div className="people__search" role="search">
          <label className="field__label" htmlFor={inputId}>
            Search by name
          </label>
          <input
            id={inputId}
            className="field__input"
            type="search"
            value={input}
            maxLength={maxTermLength * 2}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={hintId}
            aria-controls="people-results"
            onChange={(event) => setInput(event.target.value)}
            onKeyDown={(event) => {
              // Enter searches at once instead of waiting for the pause.
              if (event.key === "Enter") {
                event.preventDefault();
                const now = searchTermOf(input);
                if (now !== sent.current) {
                  sent.current = now;
                  onTermChange(now);
                }
              }
            }}
          />
          <p id={hintId} className="field__hint">
            Results update as you type. Leave it empty to list everyone.
          </p>
        </div>
        <PeopleResults userId={userId} term={term} />
      </section>
    </>
  );
}

function PeopleResults({ userId, term }: { userId: string; term: string }) {
  const search = useInfiniteQuery({
    ...peopleSearchQuery(userId, term),
    // The last results stay while the next ones load: the list does not flash empty.
    placeholderData: keepPreviousData,
  });
  const people = search.data?.pages.flatMap((page) => page.value) ?? [];
  const total = search.data?.pages[0]?.["@odata.count"];
  const stale = search.isPlaceholderData;

  // "Show more": focus moves to the first person it added, not back to the top.
  const list = useRef<HTMLUListElement>(null);
  const focusFrom = useRef<number | undefined>(undefined);
  useEffect(() => {
    const index = focusFrom.current;
    if (index === undefined || people.length <= index) return;
    focusFrom.current = undefined;
    list.current?.querySelectorAll<HTMLElement>("a")[index]?.focus();
  }, [people.length]);

  if (search.isError && !search.isFetchNextPageError) {
    return (
      <ErrorState
        title="The directory could not be searched"
        error={search.error}
        onRetry={() => void search.refetch()}
        retrying={search.isFetching}
      />
    );
  }

  const status = statusText({
    loading: search.isPending || (stale && search.isFetching),
    term,
    shown: people.length,
    total,
    more: search.hasNextPage,
  });

  return (
    <div className="people__results" aria-busy={search.isFetching}>
      <p className="people__status" role="status">
        {status}
      </p>
      {search.isPending ? (
        <PeopleSkeleton />
      ) : people.length === 0 ? (
        <div className="empty-state">
          <p className="empty-state__title">No one found</p>
          <p>
            {term
              ? "Check the spelling, or try the first letters of a first or last name."
              : "Your organization's directory has no people in it yet."}
          </p>
        </div>
      ) : (
        <ul
          id="people-results"
          ref={list}
          className={`people__list${stale ? " people__list--stale" : ""}`}
          aria-label={stale ? "Earlier results" : term ? `People matching ${term}` : "Everyone"}
        >
          {people.map((person) => (
            <PersonRow key={person.id} person={person} />
          ))}
        </ul>
      )}
      {search.isFetchNextPageError ? (
        <ErrorState
          title="More results could not be loaded"
          error={search.error}
          onRetry={() => void search.fetchNextPage()}
          retrying={search.isFetchingNextPage}
        />
      ) : search.hasNextPage && !stale ? (
        <div className="people__more">
          <button
            type="button"
            className="button button--secondary"
            disabled={search.isFetchingNextPage}
            aria-disabled={search.isFetchingNextPage}
            onClick={() => {
              focusFrom.current = people.length;
              void search.fetchNextPage();
            }}
          >
            {search.isFetchingNextPage ? "Loading more…" : "Show more people"}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function statusText(state: {
  loading: boolean;
  term: string;
  shown: number;
  total: number | undefined;
  more: boolean;
}): string {
  if (state.loading) return state.term ? `Searching for “${state.term}”…` : "Loading people…";
  if (state.shown === 0) return state.term ? `No one matches “${state.term}”.` : "No people.";
  const people = (n: number) => (n === 1 ? "1 person" : `${n} people`);
  const matching = state.term ? ` matching “${state.term}”` : "";
  if (state.total !== undefined && state.total > state.shown) {
    return `Showing ${state.shown} of ${people(state.total)}${matching}.`;
  }
  if (state.more) return `Showing ${people(state.shown)}${matching}; more are available.`;
  return `${people(state.shown)}${matching}.`.replace(/^./, (c) => c.toUpperCase());
}

function PersonRow({ person }: { person: GraphUser }) {
  const name = displayNameOf(person);
  return (
    <li className="person-row">
      <Link className="person-row__link" to="/people/$id" params={{ id: person.id }}>
        <Avatar name={name} photo={userPhotoQuery(person.id)} />
        <span className="person-row__text">
          <span className="person-row__name">{name}</span>
          {person.jobTitle ? <span className="person-row__meta">{person.jobTitle}</span> : null}
          {person.mail ? <span className="person-row__meta">{person.mail}</span> : null}
        </span>
      </Link>
    </li>
  );
}

function PeopleSkeleton() {
  return (
    <ul className="people__list" aria-hidden="true">
      {["a", "b", "c", "d"].map((key) => (
        <li key={key} className="person-row person-row--skeleton">
          <span className="skeleton skeleton--circle skeleton--avatar" />
          <span className="skeleton-stack">
            <span className="skeleton skeleton--line skeleton--w60" />
            <span className="skeleton skeleton--line skeleton--w40" />
          </span>
        </li>
      ))}
    </ul>
  );
}
