// Tasks in SQLite, always scoped to their owner: every statement names tenant id + object id,
// so no code path can read or change another user's task by its id.
import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";

/** Whose tasks: the token's `tid` and `oid` (never a name or e-mail, which can change hands). */
export interface Owner {
  tenantId: string;
  oid: string;
}

export interface StoredTask {
  id: string;
  title: string;
  done: boolean;
  version: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
}

/** `undefined` = any version (`If-Match: *`). */
export type ExpectedVersion = number | undefined;

export type ChangeResult<T> =
  | { outcome: "done"; value: T }
  | { outcome: "not_found" }
  | { outcome: "stale"; current: StoredTask };

export class TaskLimitError extends Error {
  constructor(readonly limit: number) {
    super(`the user already holds ${limit} tasks`);
    this.name = "TaskLimitError";
  }
}

interface Row {
  id: string;
  title: string;
  done: 0 | 1;
  version: number;
  created_at: number;
  updated_at: number;
}

const columns = "id, title, done, version, created_at, updated_at";
const ownerMatch = "tenant_id = @tenantId AND owner_oid = @oid";

export class TaskStore {
  readonly #db: Database;
  readonly #maxPerUser: number;
  readonly #statements;

  constructor(db: Database, options: { maxPerUser: number }) {
    this.#db = db;
    this.#maxPerUser = options.maxPerUser;
    this.#statements = {
      list: db.prepare<Owner, Row>(
        `SELECT ${columns} FROM tasks WHERE ${ownerMatch} ORDER BY created_at, rowid`,
      ),
      get: db.prepare<Owner & { id: string }, Row>(
        `SELECT ${columns} FROM tasks WHERE id = @id AND ${ownerMatch}`,
      ),
      count: db.prepare<Owner, { n: number }>(
        `SELECT count(*) AS n FROM tasks WHERE ${ownerMatch}`,
      ),
      insert: db.prepare<Owner & Omit<Row, "version">, Row>(
        `INSERT INTO tasks (id, tenant_id, owner_oid, title, done, version, created_at, updated_at)
         VALUES (@id, @tenantId, @oid, @title, @done, 1, @created_at, @updated_at)
         RETURNING ${columns}`,
      ),
      update: db.prepare<
        Owner & {
          id: string;
          title: string | null;
          done: 0 | 1 | null;
          expected: number | null;
          now: number;
        },
        Row
      >(
        `UPDATE tasks
            SET title = coalesce(@title, title), done = coalesce(@done, done),
                version = version + 1, updated_at = @now
          WHERE id = @id AND ${ownerMatch} AND (@expected IS NULL OR version = @expected)
          RETURNING ${columns}`,
      ),
      delete: db.prepare<Owner & { id: string; expected: number | null }>(
        `DELETE FROM tasks
          WHERE id = @id AND ${ownerMatch} AND (@expected IS NULL OR version = @expected)`,
      ),
      summary: db.prepare<{ tenantId: string }, { users: number; tasks: number; done: number }>(
        `SELECT count(DISTINCT owner_oid) AS users, count(*) AS tasks,
                coalesce(sum(done), 0) AS done
           FROM tasks WHERE tenant_id = @tenantId`,
      ),
    };
  }

  /** The owner's tasks, oldest first. */
  list(owner: Owner): StoredTask[] {
    return this.#statements.list.all(key(owner)).map(fromRow);
  }

  get(owner: Owner, id: string): StoredTask | undefined {
    const row = this.#statements.get.get({ ...key(owner), id });
    return row && fromRow(row);
  }

  /** Adds a task (title already trimmed). Throws `TaskLimitError` at the per-user limit. */
  create(owner: Owner, input: { title: string; done: boolean }, now: number): StoredTask {
    // IMMEDIATE: the count and the insert see the same state, even across processes.
    return this.#db
      .transaction(() => {
        if (this.#statements.count.get(key(owner))!.n >= this.#maxPerUser) {
          throw new TaskLimitError(this.#maxPerUser);
        }
        return fromRow(
          this.#statements.insert.get({
            ...key(owner),
            id: randomUUID(),
            title: input.title,
            done: input.done ? 1 : 0,
            created_at: now,
            updated_at: now,
          })!,
        );
      })
      .immediate();
  }

  /**
   * Changes the task if it is the owner's and still at `expected` (compare-and-set in one
   * statement: of two writers holding the same version exactly one wins).
   */
  update(
    owner: Owner,
    id: string,
    patch: { title?: string; done?: boolean },
    expected: ExpectedVersion,
    now: number,
  ): ChangeResult<StoredTask> {
    return this.#db
      .transaction((): ChangeResult<StoredTask> => {
        const row = this.#statements.update.get({
          ...key(owner),
          id,
          title: patch.title ?? null,
          done: patch.done === undefined ? null : patch.done ? 1 : 0,
          expected: expected ?? null,
          now,
        });
        if (row) return { outcome: "done", value: fromRow(row) };
        return this.#missOutcome(owner, id);
      })
      .immediate();
  }

  /** Deletes the task if it is the owner's and still at `expected`. */
  delete(owner: Owner, id: string, expected: ExpectedVersion): ChangeResult<undefined> {
    return this.#db
      .transaction((): ChangeResult<undefined> => {
        const { changes } = this.#statements.delete.run({
          ...key(owner),
          id,
          expected: expected ?? null,
        });
        if (changes === 1) return { outcome: "done", value: undefined };
        return this.#missOutcome(owner, id);
      })
      .immediate();
  }

  /** Counts for one tenant (admin view): no titles, no user ids. */
  summary(tenantId: string): { users: number; tasks: number; done: number } {
    return this.#statements.summary.get({ tenantId })!;
  }

  #missOutcome(
    owner: Owner,
    id: string,
  ): { outcome: "not_found" } | { outcome: "stale"; current: StoredTask } {
    const current = this.get(owner, id);
    return current ? { outcome: "stale", current } : { outcome: "not_found" };
  }
}

function key(owner: Owner): Owner {
  return { tenantId: owner.tenantId, oid: owner.oid };
}

function fromRow(row: Row): StoredTask {
  return {
    id: row.id,
    title: row.title,
    done: row.done === 1,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
