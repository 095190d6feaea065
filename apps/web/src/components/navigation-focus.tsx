/**
 * After a client-side navigation, focus goes to the new page's `h1` (or `main` until it has
 * one), as a full page load would reset it: otherwise focus stays on a link that is gone and
 * a screen reader says nothing about the new page. The first page load keeps the browser's
 * own focus.
 */
import { createContext, type RefObject, useContext, useEffect, useRef } from "react";

interface NavigationFocus {
  /** True from a navigation until a page title has taken focus. */
  pending: boolean;
}

const NavigationFocusContext = createContext<RefObject<NavigationFocus> | null>(null);

export const NavigationFocusProvider = NavigationFocusContext.Provider;

/**
 * In the layout: call with the pathname of the page on screen (the router's resolved
 * location, not the one still loading); a change means a navigation.
 */
export function useNavigationFocus(
  pathname: string | undefined,
  main: RefObject<HTMLElement | null>,
): RefObject<NavigationFocus> {
  const state = useRef<NavigationFocus>({ pending: false });
  const previous = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (pathname === undefined || previous.current === pathname) return;
    const first = previous.current === undefined;
    previous.current = pathname;
    if (first) return;
    window.scrollTo?.(0, 0);
    // A notice that appeared with the new page (see useFocusOnMount) keeps the focus.
    if (document.activeElement?.closest("[role=alert]")) return;
    const title = main.current?.querySelector<HTMLElement>("h1[tabindex]");
    if (title) {
      title.focus();
      state.current.pending = false;
    } else {
      main.current?.focus();
      state.current.pending = true;
    }
  }, [pathname, main]);
  return state;
}

/** In a page title: takes the focus a navigation left pending, unless an alert already has it. */
export function useTitleFocus(title: RefObject<HTMLElement | null>): void {
  const state = useContext(NavigationFocusContext);
  useEffect(() => {
    if (!state?.current.pending) return;
    state.current.pending = false;
    if (document.activeElement?.closest("[role=alert]")) return;
    title.current?.focus();
  }, [state, title]);
}
