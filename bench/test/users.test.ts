import { describe, expect, it } from "vitest";
import { benchUsers } from "../users.ts";

describe("benchUsers", () => {
  it("gives every user a distinct GUID oid, as Entra does (APIs refuse anything else)", () => {
    const users = benchUsers(300);
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(users.every((user) => guid.test(user.oid))).toBe(true);
    expect(new Set(users.map((user) => user.oid)).size).toBe(300);
    expect(new Set(users.map((user) => user.userPrincipalName)).size).toBe(300);
  });
});
