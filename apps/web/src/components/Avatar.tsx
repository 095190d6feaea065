/** Initials in a circle: the profile photo would need another Graph call and a token-free proxy. */

export function initialsOf(name: string | null | undefined): string {
  const words = (name ?? "").trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.[0] ?? "";
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase() || "?";
}

export function Avatar({ name, size = "md" }: { name: string | null; size?: "sm" | "lg" | "md" }) {
  return (
    <span className={`avatar avatar--${size}`} aria-hidden="true">
      {initialsOf(name)}
    </span>
  );
}
