/** A person's photo in a circle, or their initials while it loads or when there is none. */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { PhotoQuery } from "../api/photos.ts";

export function initialsOf(name: string | null | undefined): string {
  const words = (name ?? "").trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.[0] ?? "";
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase() || "?";
}

/**
 * An object URL for `blob` while the component shows it, revoked when it no longer does:
 * the cache keeps the Blob, each mounted avatar owns its URL, so nothing leaks.
 */
function useObjectUrl(blob: Blob | null | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) {
      setUrl(undefined);
      return;
    }
    const created = URL.createObjectURL(blob);
    setUrl(created);
    return () => URL.revokeObjectURL(created);
  }, [blob]);
  return url;
}

interface AvatarProps {
  name: string | null | undefined;
  size?: "sm" | "lg" | "md";
  /** Where the photo comes from (`myPhotoQuery`, `userPhotoQuery`); initials only without. */
  photo?: PhotoQuery | undefined;
}

/**
 * Decorative (`aria-hidden`): the person's name is always written next to it. With `photo`,
 * the photo replaces the initials once it has loaded; a failed image shows the initials again.
 */
export function Avatar({ name, size = "md", photo }: AvatarProps) {
  return photo ? (
    <PhotoAvatar name={name} size={size} photo={photo} />
  ) : (
    <AvatarFrame size={size} name={name} url={undefined} />
  );
}

function PhotoAvatar({ name, size, photo }: AvatarProps & { photo: PhotoQuery }) {
  const { data } = useQuery(photo);
  return <AvatarFrame size={size} name={name} url={useObjectUrl(data)} />;
}

function AvatarFrame({
  name,
  size = "md",
  url,
}: Omit<AvatarProps, "photo"> & { url: string | undefined }) {
  const [broken, setBroken] = useState<string>();
  const shown = url !== undefined && url !== broken ? url : undefined;
  return (
    <span className={`avatar avatar--${size}`} aria-hidden="true">
      {shown ? (
        <img className="avatar__photo" src={shown} alt="" onError={() => setBroken(shown)} />
      ) : (
        initialsOf(name)
      )}
    </span>
  );
}
