/**
 * The SPA's pages and their URLs. Every page has a real URL (a reload, a bookmark, a link
 * pasted in chat all work; the BFF serves index.html for any page navigation), and each
 * page's code loads only when it is visited: the first download is the frame, the session
 * and the sign-in page.
 */
import {
  createBrowserHistory,
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  type RouterHistory,
} from "@tanstack/react-router";
import { NotFoundPage } from "./NotFoundPage.tsx";
import { RootLayout } from "./RootLayout.tsx";
import { RouteError } from "./RouteError.tsx";
import { SignedInLayout } from "./SignedInLayout.tsx";
import { parseSearch, stringifySearch, stringParam } from "./search-params.ts";

const rootRoute = createRootRoute({
  component: RootLayout,
  notFoundComponent: NotFoundPage,
});

/** Pages that need a session (a pathless layout: it adds nothing to the URL). */
const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "signed-in",
  component: SignedInLayout,
});

const homeRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/",
  component: lazyRouteComponent(() => import("./HomePage.tsx"), "HomePage"),
});

export interface PeopleSearch {
  /** What the user searched for; the page's results follow it (back and forward too). */
  q?: string | undefined;
}

const peopleRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "people",
  validateSearch: (search: Record<string, unknown>): PeopleSearch => ({
    q: stringParam(search, "q"),
  }),
  component: lazyRouteComponent(() => import("./routes/people.tsx"), "PeopleRoute"),
});

const personRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "people/$id",
  component: lazyRouteComponent(() => import("./routes/person.tsx"), "PersonRoute"),
});

const tasksRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "tasks",
  component: lazyRouteComponent(() => import("./routes/tasks.tsx"), "TasksRoute"),
});

export interface AdminConsentSearch {
  result?: string | undefined;
  tenant?: string | undefined;
  error?: string | undefined;
}

/** Public: a customer's administrator arrives here without a session in this app. */
const adminConsentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "admin-consent",
  validateSearch: (search: Record<string, unknown>): AdminConsentSearch => ({
    result: stringParam(search, "result"),
    tenant: stringParam(search, "tenant"),
    error: stringParam(search, "error"),
  }),
  component: lazyRouteComponent(() => import("./routes/admin-consent.tsx"), "AdminConsentRoute"),
});

const routeTree = rootRoute.addChildren([
  signedInRoute.addChildren([homeRoute, peopleRoute, personRoute, tasksRoute]),
  adminConsentRoute,
]);

export function createAppRouter(options: { history?: RouterHistory } = {}) {
  return createRouter({
    routeTree,
    history: options.history ?? createBrowserHistory(),
    parseSearch,
    stringifySearch,
    defaultErrorComponent: RouteError,
    // Show the previous page while the next one's code loads, unless that takes a while.
    defaultPendingMs: 300,
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;

declare module "@tanstack/react-router" {
  interface Register {
    router: AppRouter;
  }
}
