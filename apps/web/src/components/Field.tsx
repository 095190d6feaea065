/** One labelled value of a contact card; an empty one says so rather than vanishing. */
import type { ReactNode } from "react";

export function Field({
  label,
  children,
  emptyText = "Not set",
}: {
  label: string;
  children: ReactNode;
  /** What an empty value reads as: "Not set" for one's own profile. */
  emptyText?: string;
}) {
  const empty = children === null || children === undefined || children === "";
  return (
    <div className="fields__row">
      <dt>{label}</dt>
      <dd className={empty ? "fields__empty" : undefined}>{empty ? emptyText : children}</dd>
    </div>
  );
}

/** A `tel:` link keeps the digits and a leading `+` only. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}
