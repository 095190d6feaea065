import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import { type Owner, TaskLimitError, TaskStore } from "../../src/store/task-store.ts";
import { useTempDirs } from "../helpers/temp-dir.ts";

const temp = useTempDirs();
const alice: Owner = {
  tenantId: "11111111-1111-1111-1111-111111111111",
  oid: "aaaaaaaa-0000-0000-0000-000000000001",
};
const bob: Owner = { tenantId: alice.tenantId, oid: "bbbbbbbb-0000-0000-0000-000000000002" };
// Same object id in another tenant: a different person.
const aliceElsewhere: Owner = { tenantId: "22222222-2222-2222-2222-222222222222", oid: alice.oid };

let db: Database;
let store: TaskStore;
let dataDir: string;
beforeEach(async () => {
  dataDir = await temp.dir();
  db = openDatabase(dataDir);
  store = new TaskStore(db, { maxPerUser: 3 });
});
afterEach(() => {
  if (db.open) db.close();
});

describe("TaskStore", () => {
  it("creates tasks at version 1 and lists them oldest first", () => {
    const first = store.create(alice, { title: "one", done: false }, 1000);
    const second = store.create(alice, { title: "two", done: true }, 1000);
    expect(first).toMatchObject({
      title: "one",
      done: false,
      version: 1,
      createdAt: 1000,
      updatedAt: 1000,
    });
    expect(first.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(store.list(alice).map((t) => t.title)).toEqual(["one", "two"]);
    expect(store.get(alice, second.id)).toEqual(second);
  });

  it("scopes every read and write to the owner (tenant id + object id)", () => {
    const task = store.create(alice, { title: "private", done: false }, 1);
    for (const other of [bob, aliceElsewhere]) {
      expect(store.list(other)).toEqual([]);
      expect(store.get(other, task.id)).toBeUndefined();
      expect(store.update(other, task.id, { done: true }, 1, 2)).toEqual({ outcome: "not_found" });
      expect(store.update(other, task.id, { done: true }, undefined, 2)).toEqual({
        outcome: "not_found",
      });
      expect(store.delete(other, task.id, undefined)).toEqual({ outcome: "not_found" });
    }
    expect(store.get(alice, task.id)).toEqual(task);
  });

  it("updates only at the expected version, bumping it; a stale version changes nothing", () => {
    const task = store.create(alice, { title: "draft", done: false }, 1);
    const updated = store.update(alice, task.id, { title: "final" }, 1, 5);
    expect(updated).toEqual({
      outcome: "done",
      value: { ...task, title: "final", version: 2, updatedAt: 5 },
    });
    const stale = store.update(alice, task.id, { done: true }, 1, 6);
    expect(stale).toMatchObject({ outcome: "stale", current: { version: 2, done: false } });
    expect(store.update(alice, task.id, { done: true }, undefined, 7)).toMatchObject({
      outcome: "done",
      value: { title: "final", done: true, version: 3 },
    });
  });

  it("of two writers holding the same version, exactly one wins", () => {
    const task = store.create(alice, { title: "t", done: false }, 1);
    // A second connection, as a second instance of the API on the same file would hold.
    const otherDb = openDatabase(dataDir);
    try {
      const other = new TaskStore(otherDb, { maxPerUser: 3 });
      const outcomes = [
        store.update(alice, task.id, { title: "from tab 1" }, 1, 2).outcome,
        other.update(alice, task.id, { title: "from tab 2" }, 1, 2).outcome,
      ];
      expect(outcomes).toEqual(["done", "stale"]);
    } finally {
      otherDb.close();
    }
    expect(store.get(alice, task.id)?.title).toBe("from tab 1");
  });

  it("deletes at the expected version only", () => {
    const task = store.create(alice, { title: "t", done: false }, 1);
    expect(store.delete(alice, task.id, 7)).toMatchObject({ outcome: "stale" });
    expect(store.delete(alice, task.id, 1)).toEqual({ outcome: "done", value: undefined });
    expect(store.delete(alice, task.id, 1)).toEqual({ outcome: "not_found" });
    expect(store.list(alice)).toEqual([]);
  });

  it("refuses a task beyond the per-user limit, counting only that user's", () => {
    for (let i = 0; i < 3; i++) store.create(alice, { title: `t${i}`, done: false }, i);
    expect(() => store.create(alice, { title: "one too many", done: false }, 9)).toThrow(
      TaskLimitError,
    );
    expect(store.list(alice)).toHaveLength(3);
    expect(store.create(bob, { title: "bob's", done: false }, 9).title).toBe("bob's");
  });

  it("summarises one tenant without counting another's", () => {
    store.create(alice, { title: "a1", done: true }, 1);
    store.create(alice, { title: "a2", done: false }, 1);
    store.create(bob, { title: "b1", done: true }, 1);
    store.create(aliceElsewhere, { title: "x", done: true }, 1);
    expect(store.summary(alice.tenantId)).toEqual({ users: 2, tasks: 3, done: 2 });
    expect(store.summary("33333333-3333-3333-3333-333333333333")).toEqual({
      users: 0,
      tasks: 0,
      done: 0,
    });
  });

  it("keeps tasks across a close and reopen of the file", () => {
    const task = store.create(alice, { title: "durable", done: false }, 1);
    db.close();
    db = openDatabase(dataDir);
    expect(new TaskStore(db, { maxPerUser: 3 }).get(alice, task.id)).toEqual(task);
  });
});
