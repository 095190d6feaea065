/** When the session ends, in the user's local time. */

function formatExpiry(expiresAt: Date, now: Date): string {
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(expiresAt);
  if (expiresAt.toDateString() === now.toDateString()) return `today at ${time}`;
  const day = new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    month: "short",
    day: "numeric",
  }).format(expiresAt);
  return `${day} at ${time}`;
}

export function SessionExpiry({ expiresAt, now = new Date() }: { expiresAt: string; now?: Date }) {
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime())) return null;
  return (
    <time dateTime={date.toISOString()} title={date.toString()}>
      {formatExpiry(date, now)}
    </time>
  );
}
