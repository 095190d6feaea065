// What the routes share: settings, the clock, the token issuer, the validator, the store.
import type { Database } from "better-sqlite3";
import type { AccessTokenValidator } from "./auth/access-token.ts";
import type { AuthoritySource } from "./auth/authority.ts";
import type { Config } from "./config.ts";
import type { TaskStore } from "./store/task-store.ts";

export interface AppContext {
  config: Config;
  /** Epoch milliseconds; injectable so tests control token lifetimes instead of sleeping. */
  now: () => number;
  authority: AuthoritySource;
  validateToken: AccessTokenValidator;
  db: Database;
  store: TaskStore;
}

export interface RouteOptions {
  context: AppContext;
}
