import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import { migrate, migrations, schemaVersion } from "../../src/store/migrations.ts";
import { useTempDirs } from "../helpers/temp-dir.ts";

const temp = useTempDirs();

describe("openDatabase", () => {
  it("creates the folder and tasks.db, in WAL mode with a busy timeout, at the current schema", async () => {
    const dataDir = join(await temp.dir(), "nested", "data");
    const db = openDatabase(dataDir);
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("busy_timeout", { simple: true })).toBeGreaterThan(0);
      expect(db.pragma("user_version", { simple: true })).toBe(schemaVersion);
      expect(db.name).toBe(join(dataDir, "tasks.db"));
      // Owner-only: every user's tasks are in these files (SQLite gives -wal and -shm the
      // database file's permissions; they exist while the database is open).
      expect(statSync(dataDir).mode & 0o077).toBe(0);
      const files = readdirSync(dataDir);
      expect(files).toEqual(expect.arrayContaining(["tasks.db", "tasks.db-wal", "tasks.db-shm"]));
      for (const file of files) expect(statSync(join(dataDir, file)).mode & 0o077).toBe(0);
    } finally {
      db.close();
    }
  });

  it("is idempotent: reopening applies nothing and keeps the data", async () => {
    const dataDir = await temp.dir();
    const first = openDatabase(dataDir);
    first
      .prepare(
        "INSERT INTO tasks (id, tenant_id, owner_oid, title, created_at, updated_at) VALUES ('a', 't', 'o', 'kept', 1, 1)",
      )
      .run();
    first.close();

    const second = openDatabase(dataDir);
    try {
      expect(migrate(second)).toEqual([]);
      expect(migrate(second)).toEqual([]);
      expect(second.pragma("user_version", { simple: true })).toBe(schemaVersion);
      expect(second.prepare("SELECT title FROM tasks").all()).toEqual([{ title: "kept" }]);
    } finally {
      second.close();
    }
  });

  it("applies each step once when two connections migrate the same file", async () => {
    const file = join(await temp.dir(), "tasks.db");
    const a = new Database(file);
    const b = new Database(file);
    try {
      a.pragma("busy_timeout = 5000");
      b.pragma("busy_timeout = 5000");
      expect(migrate(a)).toEqual(migrations.map((m) => m.version));
      // b read nothing before a finished; it must see a's version, not re-run CREATE TABLE.
      expect(migrate(b)).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("refuses a database written by a newer build, and leaves it untouched", async () => {
    const dataDir = await temp.dir();
    const db = new Database(join(dataDir, "tasks.db"));
    db.pragma(`user_version = ${schemaVersion + 1}`);
    db.close();

    expect(() => openDatabase(dataDir)).toThrow(
      new RegExp(`schema version ${schemaVersion + 1}, newer than this build's ${schemaVersion}`),
    );
    const after = new Database(join(dataDir, "tasks.db"));
    expect(after.pragma("user_version", { simple: true })).toBe(schemaVersion + 1);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'tasks'").all()).toEqual([]);
    after.close();
  });

  it("names the file when the folder cannot be created", async () => {
    const blocker = join(await temp.dir(), "file");
    new Database(blocker).close(); // a file where the folder should be
    expect(() => openDatabase(join(blocker, "data"))).toThrow(
      /cannot create .*tasks\.db.*TASKS_DATA_DIR/,
    );
  });
});
