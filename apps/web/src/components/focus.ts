/** Moving keyboard focus for people who navigate by keyboard or screen reader. */
import { type RefObject, useEffect } from "react";

/** Whether the user is typing in a field: taking focus from it would swallow keystrokes. */
function isEditing(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLElement && element.isContentEditable) return true;
  return element.matches("input, textarea, select");
}

/**
 * Focuses `ref`'s element once, when it mounts, so a screen reader reads it and the next Tab
 * continues from there; skipped while the user types in a field (`role="alert"` still
 * announces it). The element needs `tabIndex={-1}` if it is not focusable by itself.
 */
export function useFocusOnMount(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const element = ref.current;
    if (element && !isEditing(document.activeElement)) element.focus();
  }, [ref]);
}
