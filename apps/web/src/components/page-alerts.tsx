/**
 * App-wide notices (why a sign-in failed, the session ending soon) are shown by each page
 * right after its `h1`, so the page outline starts with the page's title and a screen reader
 * meets the title first. The app provides them; every page header renders them.
 */
import { createContext, type ReactNode, useContext } from "react";

const PageAlertsContext = createContext<ReactNode>(null);

export const PageAlertsProvider = PageAlertsContext.Provider;

export function PageAlerts() {
  return <>{useContext(PageAlertsContext)}</>;
}
