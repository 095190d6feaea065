// Opens the SQLite file under TASKS_DATA_DIR: WAL, a busy timeout, the schema up to date.
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { migrate } from "./migrations.ts";

export const databaseFileName = "tasks.db";

/** How long a writer waits for another connection's lock before SQLITE_BUSY. */
const busyTimeoutMs = 5_000;

/**
 * Creates the folder (owner-only) and file if needed, sets WAL and the busy timeout, and
 * migrates. Throws with the file's path when any of that fails; the caller exits.
 */
export function openDatabase(dataDir: string): Database.Database {
  const file = join(dataDir, databaseFileName);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Every user's tasks are in this file: readable by the service's user only.
    closeSync(openSync(file, "a", 0o600));
  } catch (error) {
    throw new Error(
      `cannot create ${file} (TASKS_DATA_DIR): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") throw new Error(`journal_mode is ${String(mode)}, not wal`);
    db.pragma("foreign_keys = ON");
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw new Error(
      `cannot open ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
