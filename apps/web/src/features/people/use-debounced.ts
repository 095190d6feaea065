/** A value that follows `value` once it has stopped changing for `delayMs`. */
import { useEffect, useState } from "react";

export const searchDebounceMs = 300;

export function useDebounced<T>(value: T, delayMs: number = searchDebounceMs): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
