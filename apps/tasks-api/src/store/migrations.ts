// The database schema, as numbered steps. PRAGMA user_version records the last step applied;
// a step is never edited once released: a change is a new step.
import type { Database } from "better-sqlite3";

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "tasks, keyed by owner (tenant id + object id)",
    sql: `
      CREATE TABLE tasks (
        id         TEXT    NOT NULL PRIMARY KEY,
        tenant_id  TEXT    NOT NULL,
        owner_oid  TEXT    NOT NULL,
        title      TEXT    NOT NULL,
        done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
        version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX tasks_by_owner ON tasks (tenant_id, owner_oid, created_at);
    `,
  },
];

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

/** The schema version this build writes. */
export const schemaVersion = migrations[migrations.length - 1]!.version;

/**
 * Applies every step newer than the database's `user_version`, each in its own IMMEDIATE
 * transaction that re-reads the version first: two instances starting on the same file
 * apply each step once, and a failed step leaves the previous version intact. Idempotent.
 * Refuses a database written by a newer build (a rollback must not corrupt newer data).
 * Returns the versions applied.
 */
export function migrate(db: Database): number[] {
  const current = () => db.pragma("user_version", { simple: true }) as number;
  const found = current();
  if (found > schemaVersion) {
    throw new MigrationError(
      `the database is at schema version ${found}, newer than this build's ${schemaVersion}: run the newer build, or restore a backup taken before the upgrade`,
    );
  }
  const applied: number[] = [];
  for (const step of migrations) {
    const apply = db.transaction(() => {
      if (current() >= step.version) return false;
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
      return true;
    });
    try {
      if (apply.immediate()) applied.push(step.version);
    } catch (error) {
      throw new MigrationError(
        `schema step ${step.version} (${step.description}) failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
  return applied;
}
