import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, defaultUsers, type Emulator } from "../src/index.ts";
import {
  expectGraphError,
  graph,
  graphJson,
  graphToken,
  names,
  readAll,
  readBasic,
  type UserPage,
} from "./graph-helpers.ts";

let emulator: Emulator;
let basicToken: string;
let fullToken: string;
const everyone = defaultUsers.map((u) => u.displayName);

beforeAll(async () => {
  emulator = await createEmulator({ port: 0 });
  [basicToken, fullToken] = await Promise.all([
    graphToken(emulator, 0, readBasic),
    graphToken(emulator, 0, readAll),
  ]);
});
afterAll(() => emulator.close());

const users = (query: string, eventual = true, token = basicToken) =>
  graphJson<UserPage>(emulator, `/users?${query}`, { token, eventual });
const usersError = (query: string, eventual = true, token = basicToken) =>
  graph(emulator, `/users?${query}`, { token, eventual });

describe("$search", () => {
  it("needs ConsistencyLevel: eventual, with Graph's 400 otherwise", async () => {
    await expectGraphError(
      await usersError('$search="displayName:wa"', false),
      400,
      "Request_UnsupportedQuery",
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  });

  it("matches the start of words in displayName, in any order, ignoring case", async () => {
    expect(names(await users('$search="displayName:wa"'))).toEqual(["Wanda Howard"]);
    expect(names(await users('$search="displayName:WI"'))).toEqual(["Alex Wilber", "Nestor Wilke"]);
    expect(names(await users('$search="displayName:vance ad"'))).toEqual(["Adele Vance"]);
    // Not "contains": "ele" is inside Adele but starts no word.
    expect(names(await users('$search="displayName:ele"'))).toEqual([]);
  });

  it("searches other properties by prefix; AND, OR and parentheses combine clauses", async () => {
    expect(names(await users('$search="mail:joni"'))).toEqual(["Joni Sherman"]);
    expect(names(await users('$search="displayName:wa" OR "displayName:ad"'))).toEqual([
      "Adele Vance",
      "Wanda Howard",
    ]);
    expect(
      names(await users('$search=("displayName:wi" OR "displayName:ad") AND "mail:nestor"')),
    ).toEqual(["Nestor Wilke"]);
    // URL-encoded, as a browser or the BFF sends it.
    const encoded = encodeURIComponent('"displayName:lynne"');
    expect(names(await users(`$search=${encoded}`))).toEqual(["Lynne Robbins"]);
  });

  it("refuses malformed clauses and properties it cannot search", async () => {
    await expectGraphError(
      await usersError("$search=displayName:wa"),
      400,
      "BadRequest",
      "Syntax error: character 'd' is not valid at position 0 in 'displayName:wa'.",
    );
    await expectGraphError(
      await usersError('$search="displayName:wa'),
      400,
      "BadRequest",
      `Syntax error: character '"' is not valid at position 0 in '"displayName:wa'.`,
    );
    await expectGraphError(
      await usersError('$search="shoeSize:42"'),
      400,
      "Request_UnsupportedQuery",
      "Unsupported or invalid query filter clause specified for property 'shoeSize' of resource 'User'.",
    );
    await expectGraphError(
      await usersError('$search="adele"'),
      400,
      "Request_UnsupportedQuery",
      /^Invalid \$search clause 'adele'/,
    );
  });

  it("with only the basic profile, searching another property is refused (403)", async () => {
    await expectGraphError(
      await usersError('$search="jobTitle:director"'),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
    expect(names(await users('$search="jobTitle:director"', true, fullToken))).toEqual([
      "Irvin Sayers",
      "Miriam Graham",
      "Nestor Wilke",
      "Wanda Howard",
    ]);
  });
});

describe("$filter", () => {
  it("eq, startsWith, in, ge/le, and/or/parentheses on properties that allow them by default", async () => {
    expect(names(await users("$filter=startsWith(displayName,'a')", false))).toEqual([
      "Adele Vance",
      "Alex Wilber",
      "Allan Deyoung",
    ]);
    expect(names(await users("$filter=givenName eq 'JONI'", false))).toEqual(["Joni Sherman"]);
    expect(names(await users("$filter=surname in ('Vance', 'Wilber', 'Nobody')", false))).toEqual([
      "Adele Vance",
      "Alex Wilber",
    ]);
    expect(
      names(
        await users(
          "$filter=(startswith(givenName,'l') or givenName eq 'Patti') and surname ge 'h'",
          false,
        ),
      ),
    ).toEqual(["Lidia Holloway", "Lynne Robbins"]);
    const apostrophe = await users(
      `$filter=${encodeURIComponent("displayName eq 'O''Brien'")}`,
      false,
    );
    expect(apostrophe.value).toEqual([]);
  });

  it("ne, not, endsWith and eq null need ConsistencyLevel: eventual and $count=true", async () => {
    await expectGraphError(
      await usersError("$filter=endsWith(mail,'@contoso.example')", false),
      400,
      "Request_UnsupportedQuery",
      "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
    );
    // The header alone is not enough.
    await expectGraphError(
      await usersError("$filter=not startsWith(displayName,'a')", true),
      400,
      "Request_UnsupportedQuery",
      /^Operator 'not' is not supported because the required parameters might be missing/,
    );
    await expectGraphError(
      await usersError("$filter=givenName ne 'Adele'", false),
      400,
      "Request_UnsupportedQuery",
      "Unsupported or invalid query filter clause specified for property 'givenName' of resource 'User'.",
    );
    expect(names(await users("$filter=mail eq null&$count=true"))).toEqual(["Wanda Howard"]);
    const advanced = await users(
      "$filter=NOT startsWith(displayName,'a') and endsWith(userPrincipalName,'s@contoso.example')&$count=true",
    );
    expect(names(advanced)).toEqual(["Diego Siciliani", "Irvin Sayers", "Joni Sherman"]);
    expect(advanced["@odata.count"]).toBe(3);
  });

  it("properties indexed only for advanced queries, and operators a property lacks", async () => {
    await expectGraphError(
      await usersError("$filter=officeLocation eq '18/2111'", false, fullToken),
      400,
      "Request_UnsupportedQuery",
      "Unsupported or invalid query filter clause specified for property 'officeLocation' of resource 'User'.",
    );
    expect(
      names(await users("$filter=officeLocation eq '18/2111'&$count=true", true, fullToken)),
    ).toEqual(["Adele Vance"]);
    expect(names(await users("$filter=department eq 'legal'", false, fullToken))).toEqual([
      "Enrico Cattaneo",
      "Joni Sherman",
    ]);
    await expectGraphError(
      await usersError("$filter=endsWith(displayName,'e')&$count=true"),
      400,
      "Request_UnsupportedQuery",
      "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.",
    );
    await expectGraphError(
      await usersError("$filter=contains(displayName,'e')"),
      400,
      "Request_UnsupportedQuery",
      "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.",
    );
    await expectGraphError(
      await usersError("$filter=businessPhones/any(p:p eq '1')", false, fullToken),
      400,
      "Request_UnsupportedQuery",
      "Unsupported or invalid query filter clause specified for property 'businessPhones' of resource 'User'.",
    );
  });

  it("bad syntax, unknown properties and functions, wrong types: 400 BadRequest", async () => {
    await expectGraphError(
      await usersError("$filter=displayName eq", false),
      400,
      "BadRequest",
      "Invalid filter clause: Syntax error at position 14 in 'displayName eq'.",
    );
    await expectGraphError(
      await usersError("$filter=displayName eq 'x", false),
      400,
      "BadRequest",
      "Invalid filter clause: There is an unterminated string literal at position 15 in 'displayName eq 'x'.",
    );
    await expectGraphError(
      await usersError("$filter=shoeSize eq '42'", false),
      400,
      "BadRequest",
      "Invalid filter clause: Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.",
    );
    await expectGraphError(
      await usersError("$filter=sounds(displayName,'x')", false),
      400,
      "BadRequest",
      /^Invalid filter clause: An unknown function with name 'sounds' was found\./,
    );
    await expectGraphError(
      await usersError("$filter=displayName eq 42", false),
      400,
      "BadRequest",
      "Invalid filter clause: A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'.",
    );
  });

  it("bounds what one filter can ask: at most 15 clauses joined by or", async () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => `'n${i}'`).join(",");
    await expectGraphError(
      await usersError(`$filter=givenName in (${sixteen})`, false),
      400,
      "Request_UnsupportedQuery",
      "Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15.",
    );
    const ors = Array.from({ length: 16 }, (_, i) => `givenName eq 'n${i}'`).join(" or ");
    await expectGraphError(
      await usersError(`$filter=${encodeURIComponent(ors)}`, false),
      400,
      "Request_UnsupportedQuery",
      /^Too many child clauses .*: 16\. Max allowed: 15\.$/,
    );
    const deep = `${"(".repeat(40)}givenName eq 'x'${")".repeat(40)}`;
    await expectGraphError(
      await usersError(`$filter=${deep}`, false),
      400,
      "BadRequest",
      /node count limit/,
    );
  });

  it("with only the basic profile, filtering on another property is refused (403)", async () => {
    await expectGraphError(
      await usersError("$filter=department eq 'Legal'", false),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  });
});

describe("$orderby, $select, $count", () => {
  it("$orderby displayName or userPrincipalName, asc or desc", async () => {
    const sorted = [...everyone].sort((a, b) => a.localeCompare(b));
    expect(names(await users("$orderby=displayName", false))).toEqual(sorted);
    expect(names(await users("$orderby=displayName desc", false))).toEqual([...sorted].reverse());
    await expectGraphError(
      await usersError("$orderby=jobTitle", false, fullToken),
      400,
      "Request_UnsupportedQuery",
      "Sorting not supported for current query.",
    );
  });

  it("$filter with $orderby needs the advanced query parameters", async () => {
    await expectGraphError(
      await usersError("$filter=startsWith(displayName,'a')&$orderby=displayName desc", false),
      400,
      "Request_UnsupportedQuery",
      "Sorting not supported for current query.",
    );
    const page = await users(
      "$filter=startsWith(displayName,'a')&$orderby=displayName desc&$count=true",
    );
    expect(names(page)).toEqual(["Allan Deyoung", "Alex Wilber", "Adele Vance"]);
  });

  it("$select names the properties in @odata.context and returns only those", async () => {
    const page = await users("$select=id,displayName,mail&$top=2", false);
    expect(page["@odata.context"]).toBe(
      "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,mail)",
    );
    expect(page.value).toEqual([
      { id: defaultUsers[0]!.oid, displayName: "Adele Vance", mail: "AdeleV@contoso.example" },
      { id: defaultUsers[1]!.oid, displayName: "Alex Wilber", mail: "AlexW@contoso.example" },
    ]);
  });

  it("$count=true counts with ConsistencyLevel: eventual, and is ignored without it", async () => {
    expect((await users("$count=true&$top=1"))["@odata.count"]).toBe(everyone.length);
    expect(await users("$count=true", false)).not.toHaveProperty("@odata.count");
    await expectGraphError(
      await usersError("$count=maybe"),
      400,
      "BadRequest",
      "'maybe' is not a valid count option.",
    );
  });

  it("/users/$count: plain text, only with ConsistencyLevel: eventual", async () => {
    await expectGraphError(
      await graph(emulator, "/users/$count", { token: basicToken }),
      400,
      "Request_BadRequest",
      "$count is not currently supported.",
    );
    const all = await graph(emulator, "/users/$count", { token: basicToken, eventual: true });
    expect(all.status).toBe(200);
    expect(all.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await all.text()).toBe(String(everyone.length));
    const some = await graph(emulator, "/users/$count?$search=%22displayName:wi%22", {
      token: basicToken,
      eventual: true,
    });
    expect(await some.text()).toBe("2");
  });

  it("refuses unknown or repeated system query options, and $skip", async () => {
    await expectGraphError(
      await usersError("$frobnicate=1", false),
      400,
      "BadRequest",
      "The query parameter '$frobnicate' is not supported.",
    );
    await expectGraphError(
      await usersError("$top=1&$top=2", false),
      400,
      "BadRequest",
      "Query option '$top' was specified more than once, but it must be specified at most once.",
    );
    await expectGraphError(
      await usersError("$skip=5", false),
      400,
      "BadRequest",
      "'$skip' is not supported by the service.",
    );
    // Parameters without `$` are not OData options: Graph ignores them.
    expect(names(await users("page=2&$top=1", false))).toEqual(["Adele Vance"]);
  });
});

describe("$top and paging", () => {
  it("$top bounds: 1 to 999", async () => {
    for (const top of ["0", "1000"]) {
      await expectGraphError(
        await usersError(`$top=${top}`, false),
        400,
        "Request_UnsupportedQuery",
        `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
      );
    }
    await expectGraphError(
      await usersError("$top=ten", false),
      400,
      "BadRequest",
      "Invalid value 'ten' for $top query option found. The $top query option requires a non-negative integer value.",
    );
    expect((await users("$top=999", false)).value).toHaveLength(everyone.length);
  });

  it("pages through everyone with @odata.nextLink: absolute, the same query, a $skiptoken", async () => {
    const seen: unknown[] = [];
    let link: string | undefined =
      `${emulator.graphBaseUrl}/users?$select=displayName&$top=5&$count=true`;
    let pages = 0;
    while (link) {
      const response = await fetch(link, {
        headers: { authorization: `Bearer ${basicToken}`, consistencylevel: "eventual" },
      });
      const page = (await response.json()) as UserPage;
      expect(page["@odata.context"]).toBe(
        "https://graph.microsoft.com/v1.0/$metadata#users(displayName)",
      );
      // The count comes with the first page only, as at Graph.
      if (pages === 0) expect(page["@odata.count"]).toBe(everyone.length);
      else expect(page).not.toHaveProperty("@odata.count");
      seen.push(...names(page));
      link = page["@odata.nextLink"];
      if (link) {
        const url = new URL(link);
        expect(url.origin + url.pathname).toBe(`${emulator.graphBaseUrl}/users`);
        expect(url.searchParams.get("$top")).toBe("5");
        expect(url.searchParams.get("$select")).toBe("displayName");
        expect(url.searchParams.get("$skiptoken")).toMatch(/^X'[0-9A-F]+'$/);
        expect(page.value).toHaveLength(5);
      }
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(everyone.length / 5));
    expect(seen).toEqual(everyone);
  });

  it("a $skiptoken from another query, or a made-up one: 400 Directory_ExpiredPageToken", async () => {
    const first = await users("$top=2&$filter=startsWith(displayName,'a')", false);
    const token = new URL(first["@odata.nextLink"]!).searchParams.get("$skiptoken")!;
    const next = await users(
      `$top=2&$filter=startsWith(displayName,'a')&$skiptoken=${encodeURIComponent(token)}`,
      false,
    );
    expect(names(next)).toEqual(["Allan Deyoung"]);
    expect(next).not.toHaveProperty("@odata.nextLink");
    for (const query of [
      `$top=3&$skiptoken=${encodeURIComponent(token)}`,
      "$top=2&$skiptoken=garbage",
      "$top=2&$skiptoken=X'00'",
    ]) {
      await expectGraphError(
        await usersError(query, false),
        400,
        "Directory_ExpiredPageToken",
        "The specified page token value has expired and can no longer be included in your request.",
      );
    }
  });
});
