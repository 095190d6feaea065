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
  userRead,
} from "./graph-helpers.ts";

let emulator: Emulator;
let basicToken: string;
let fullToken: string;
let userReadToken: string;
const adele = defaultUsers[0]!;
const alex = defaultUsers[1]!;

const defaultProperties = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
];

beforeAll(async () => {
  emulator = await createEmulator({
    port: 0,
    // A second tenant: its people must never show in the default tenant's directory.
    tenants: [
      {
        tenantId: "99999999-8888-7777-6666-555555555555",
        domain: "other.example",
        users: [
          {
            oid: "00000000-0000-0000-0000-0000000e0001",
            displayName: "Olga Other",
            givenName: "Olga",
            surname: "Other",
            userPrincipalName: "OlgaO@other.example",
            mail: "OlgaO@other.example",
            jobTitle: null,
            officeLocation: null,
            businessPhones: [],
            mobilePhone: null,
            preferredLanguage: null,
          },
        ],
      },
    ],
  });
  [basicToken, fullToken, userReadToken] = await Promise.all([
    graphToken(emulator, 0, readBasic),
    graphToken(emulator, 0, readAll),
    graphToken(emulator, 0, userRead),
  ]);
});
afterAll(() => emulator.close());

describe("the default directory", () => {
  it("has about 20 people, the two original test users first and unchanged", () => {
    expect(defaultUsers.length).toBeGreaterThanOrEqual(20);
    expect(
      defaultUsers.slice(0, 2).map((u) => [u.displayName, u.userPrincipalName, u.oid]),
    ).toEqual([
      ["Adele Vance", "AdeleV@contoso.example", "00000000-0000-0000-66f3-3332eca7ea81"],
      ["Alex Wilber", "AlexW@contoso.example", "00000000-0000-0000-a3f9-6e4f0d0c7f12"],
    ]);
    const upns = defaultUsers.map((u) => u.userPrincipalName.toLowerCase());
    const oids = defaultUsers.map((u) => u.oid);
    expect(new Set(upns).size).toBe(upns.length);
    expect(new Set(oids).size).toBe(oids.length);
    for (const user of defaultUsers) {
      expect(user.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(user.jobTitle).toBeTruthy();
      expect(user.department).toBeTruthy();
    }
    // Some have no photo, so clients meet Graph's ImageNotFound.
    expect(defaultUsers.some((u) => u.hasPhoto === false)).toBe(true);
  });

  it("every person can sign in: Graph's /me answers as them", async () => {
    const wanda = defaultUsers.find((u) => u.displayName === "Wanda Howard")!;
    const token = await graphToken(emulator, wanda.userPrincipalName, userRead);
    const me = await graphJson(emulator, "/me", { token });
    expect(me).toMatchObject({ id: wanda.oid, displayName: "Wanda Howard", mail: null });
  });
});

describe("GET /v1.0/users", () => {
  it("lists the tenant's directory with Graph's default properties", async () => {
    const page = await graphJson<UserPage>(emulator, "/users", { token: fullToken });
    expect(page["@odata.context"]).toBe("https://graph.microsoft.com/v1.0/$metadata#users");
    expect(page).not.toHaveProperty("@odata.nextLink");
    expect(page).not.toHaveProperty("@odata.count");
    expect(names(page)).toEqual(defaultUsers.map((u) => u.displayName));
    for (const user of page.value) expect(Object.keys(user)).toEqual(defaultProperties);
    expect(page.value[2]).toEqual({
      businessPhones: ["+1 262 555 0106"],
      displayName: "Allan Deyoung",
      givenName: "Allan",
      jobTitle: "IT Admin",
      mail: "AllanD@contoso.example",
      mobilePhone: null,
      officeLocation: "131/2103",
      preferredLanguage: "en-US",
      surname: "Deyoung",
      userPrincipalName: "AllanD@contoso.example",
      id: defaultUsers[2]!.oid,
    });
  });

  it("never lists another tenant's people", async () => {
    const page = await graphJson<UserPage>(emulator, "/users?$top=999", { token: fullToken });
    expect(names(page)).not.toContain("Olga Other");
    await expectGraphError(
      await graph(emulator, "/users/OlgaO@other.example", { token: fullToken }),
      404,
      "Request_ResourceNotFound",
      "Resource 'OlgaO@other.example' does not exist or one of its queried reference-property objects are not present.",
    );
  });

  it("with User.ReadBasic.All, others' properties outside the basic profile are null", async () => {
    const page = await graphJson<UserPage>(emulator, "/users", { token: basicToken });
    const allan = page.value.find((u) => u.displayName === "Allan Deyoung")!;
    expect(allan).toEqual({
      businessPhones: [],
      displayName: "Allan Deyoung",
      givenName: "Allan",
      jobTitle: null,
      mail: "AllanD@contoso.example",
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: "Deyoung",
      userPrincipalName: "AllanD@contoso.example",
      id: defaultUsers[2]!.oid,
    });
    // The signed-in user's own profile stays full: ReadBasic.All includes it.
    expect(page.value[0]).toMatchObject({ jobTitle: "Retail Manager", officeLocation: "18/2111" });
  });

  it("needs more than User.Read: 403 Authorization_RequestDenied", async () => {
    await expectGraphError(
      await graph(emulator, "/users", { token: userReadToken }),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  });
});

describe("GET /v1.0/users/{id | userPrincipalName}", () => {
  it("finds a person by id, by UPN in any case, and by OData key syntax", async () => {
    const byId = await graphJson(emulator, `/users/${alex.oid}`, { token: fullToken });
    expect(byId).toEqual({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
      businessPhones: ["+1 858 555 0110"],
      displayName: "Alex Wilber",
      givenName: "Alex",
      jobTitle: "Marketing Assistant",
      mail: "AlexW@contoso.example",
      mobilePhone: null,
      officeLocation: "131/1104",
      preferredLanguage: "en-US",
      surname: "Wilber",
      userPrincipalName: "AlexW@contoso.example",
      id: alex.oid,
    });
    expect(await graphJson(emulator, "/users/alexw@CONTOSO.example", { token: fullToken })).toEqual(
      byId,
    );
    expect(
      await graphJson(emulator, "/users('AlexW@contoso.example')", { token: fullToken }),
    ).toEqual(byId);
    expect(
      await graphJson(emulator, `/users/${encodeURIComponent("AlexW@contoso.example")}`, {
        token: fullToken,
      }),
    ).toEqual(byId);
  });

  it("$select: only those properties, in that order, named in @odata.context", async () => {
    const user = await graphJson(
      emulator,
      `/users/${alex.oid}?$select=DEPARTMENT,displayName,city,id`,
      { token: fullToken },
    );
    expect(user).toEqual({
      "@odata.context":
        "https://graph.microsoft.com/v1.0/$metadata#users(department,displayName,city,id)/$entity",
      department: "Marketing",
      displayName: "Alex Wilber",
      city: "San Diego",
      id: alex.oid,
    });
    const me = await graphJson(emulator, "/me?$select=displayName,jobTitle", {
      token: userReadToken,
    });
    expect(me).toEqual({
      "@odata.context":
        "https://graph.microsoft.com/v1.0/$metadata#users(displayName,jobTitle)/$entity",
      displayName: "Adele Vance",
      jobTitle: "Retail Manager",
    });
  });

  it("$select=* returns every property the emulator has", async () => {
    const user = await graphJson(emulator, `/users/${alex.oid}?$select=*`, { token: fullToken });
    expect(user).toMatchObject({
      accountEnabled: true,
      companyName: "Contoso",
      country: "United States",
      mailNickname: "AlexW",
      userType: "Member",
    });
  });

  it("with User.ReadBasic.All: the basic profile, the rest null", async () => {
    const user = await graphJson(
      emulator,
      `/users/${alex.oid}?$select=displayName,jobTitle,department,mail`,
      {
        token: basicToken,
      },
    );
    expect(user).toMatchObject({
      displayName: "Alex Wilber",
      jobTitle: null,
      department: null,
      mail: "AlexW@contoso.example",
    });
  });

  it("User.Read reads the signed-in user through /users too, but nobody else", async () => {
    const self = await graphJson(emulator, `/users/${adele.userPrincipalName}`, {
      token: userReadToken,
    });
    expect(self).toMatchObject({ id: adele.oid, jobTitle: "Retail Manager" });
    await expectGraphError(
      await graph(emulator, `/users/${alex.oid}`, { token: userReadToken }),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  });

  it("an unknown person: 404 Request_ResourceNotFound — but 403 first without directory access", async () => {
    await expectGraphError(
      await graph(emulator, "/users/nobody@contoso.example", { token: basicToken }),
      404,
      "Request_ResourceNotFound",
      "Resource 'nobody@contoso.example' does not exist or one of its queried reference-property objects are not present.",
    );
    await expectGraphError(
      await graph(emulator, "/users/nobody@contoso.example", { token: userReadToken }),
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  });

  it("$select of a property users do not have: 400 BadRequest", async () => {
    await expectGraphError(
      await graph(emulator, `/users/${alex.oid}?$select=displayName,shoeSize`, {
        token: basicToken,
      }),
      400,
      "BadRequest",
      "Parsing OData Select and Expand failed: Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.",
    );
  });
});
