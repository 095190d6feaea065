// Every way a bearer token can be wrong, against a real https issuer whose keys the test
// holds (so it can forge any claim), through the real app over inject().
import { randomBytes } from "node:crypto";
import type { JWTPayload } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { devClientId } from "../../src/config.ts";
import { json, startTasksApi, type TestTasksApi } from "../helpers/tasks-api.ts";
import { useTempDirs } from "../helpers/temp-dir.ts";
import {
  createTestKey,
  hmacToken,
  startTestAuthority,
  type TestAuthority,
  unsignedToken,
} from "../helpers/test-authority.ts";

const tenant = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
const otherTenant = "99999999-8888-7777-6666-555555555555";
const oid = "00000000-0000-0000-66f3-3332eca7ea81";
const temp = useTempDirs();

let issuer: TestAuthority;
let api: TestTasksApi;

beforeAll(async () => {
  issuer = await startTestAuthority(tenant);
});
afterAll(async () => {
  await issuer.close();
});
beforeEach(async () => {
  api = await startTasksApi({ authority: issuer.authority, dataDir: await temp.dir() });
});
afterEach(async () => {
  await api.close();
});

function claims(overrides: JWTPayload = {}): JWTPayload {
  const iat = Math.floor(api.clock.now / 1000);
  return {
    aud: devClientId,
    iss: issuer.issuerFor(tenant),
    iat,
    nbf: iat,
    exp: iat + 3600,
    azp: "00000000-0000-0000-0000-0000000b0ff1",
    name: "Adele Vance",
    oid,
    preferred_username: "AdeleV@contoso.example",
    scp: "Tasks.ReadWrite",
    sub: "pairwise-subject",
    tid: tenant,
    ver: "2.0",
    ...overrides,
  };
}

async function listWith(token: string) {
  return api.request(token, { url: "/tasks" });
}

function expectInvalidToken(response: Awaited<ReturnType<typeof listWith>>, reason: RegExp) {
  expect(response.statusCode).toBe(401);
  expect(json(response)).toEqual({ code: "invalid_token", message: expect.stringMatching(reason) });
  const challenge = response.headers["www-authenticate"] as string;
  expect(challenge).toMatch(
    /^Bearer realm="api:\/\/00000000-0000-0000-0000-00000007a5c5", error="invalid_token", error_description="[^"]+"$/,
  );
  expect(challenge).toMatch(reason);
}

describe("bearer token validation", () => {
  it("accepts a v2.0 token for the API's client id, with the scope", async () => {
    const response = await listWith(await issuer.sign(claims()));
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ tasks: [] });
    expect(response.headers["cache-control"]).toBe("no-store");
  });

  it("accepts the Application ID URI as the audience too", async () => {
    const response = await listWith(await issuer.sign(claims({ aud: `api://${devClientId}` })));
    expect(response.statusCode).toBe(200);
  });

  it("without a token: 401 with a realm and no error code (RFC 6750 3.1)", async () => {
    for (const headers of [{}, { authorization: "Basic dXNlcjpwYXNz" }] as Record<
      string,
      string
    >[]) {
      const response = await api.request(undefined, { url: "/tasks", headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toBe(
        'Bearer realm="api://00000000-0000-0000-0000-00000007a5c5"',
      );
      expect(json(response)).toMatchObject({ code: "not_authenticated" });
    }
  });

  it("ignores a token in the query string", async () => {
    const token = await issuer.sign(claims());
    const response = await api.request(undefined, { url: `/tasks?access_token=${token}` });
    expect(response.statusCode).toBe(401);
    expect(api.logs.join("\n")).not.toContain(token);
  });

  it("refuses a malformed Authorization header or token", async () => {
    const valid = await issuer.sign(claims());
    for (const authorization of [
      "Bearer",
      "Bearer ",
      `Bearer ${valid} ${valid}`,
      `Bearer ${valid},x`,
    ]) {
      const response = await api.request(undefined, { url: "/tasks", headers: { authorization } });
      expectInvalidToken(response, /Authorization header must be/);
    }
    expectInvalidToken(await listWith("not-a-jwt"), /not a signed JWT/);
    expectInvalidToken(await listWith(`${"a".repeat(13_000)}.b.c`), /not a signed JWT/);
    expectInvalidToken(await listWith("e30.e30.e30"), /malformed|not signed with RS256/);
  });

  it("accepts the scheme name in any case", async () => {
    const response = await api.request(undefined, {
      url: "/tasks",
      headers: { authorization: `bEaReR ${await issuer.sign(claims())}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it("refuses an expired token, beyond a small clock skew", async () => {
    const token = await issuer.sign(claims());
    api.clock.advance(3600_000 + 30_000);
    expect((await listWith(token)).statusCode).toBe(200);
    api.clock.advance(31_000);
    expectInvalidToken(await listWith(token), /expired/);
  });

  it("refuses a token that is not valid yet (nbf)", async () => {
    const nbf = Math.floor(api.clock.now / 1000) + 120;
    expectInvalidToken(await listWith(await issuer.sign(claims({ nbf }))), /not valid yet/);
  });

  it("refuses v1.0 tokens, naming the manifest setting", async () => {
    expectInvalidToken(
      await listWith(await issuer.sign(claims({ ver: "1.0" }))),
      /only v2\.0 access tokens.*requestedAccessTokenVersion/,
    );
    expectInvalidToken(await listWith(await issuer.sign(claims({ ver: undefined }))), /`ver`/);
  });

  it("refuses a token for another audience (a Graph token, the BFF's ID token, several audiences)", async () => {
    for (const aud of [
      "00000003-0000-0000-c000-000000000000",
      "https://graph.microsoft.com",
      "00000000-0000-0000-0000-0000000b0ff1",
      [devClientId, "00000003-0000-0000-c000-000000000000"],
    ]) {
      expectInvalidToken(await listWith(await issuer.sign(claims({ aud }))), /`aud`/);
    }
  });

  it("refuses another issuer, and another tenant under a single-tenant authority", async () => {
    expectInvalidToken(
      await listWith(await issuer.sign(claims({ iss: "https://sts.windows.net/x/" }))),
      /`iss`/,
    );
    // Right issuer string but another tenant's tid: the issuer check would pass for the
    // tenant the token names, so the tenant must be pinned too.
    expectInvalidToken(
      await listWith(
        await issuer.sign(claims({ tid: otherTenant, iss: issuer.issuerFor(otherTenant) })),
      ),
      /`iss`/,
    );
    expectInvalidToken(
      await listWith(await issuer.sign(claims({ tid: otherTenant }))),
      /`tid` 99999999-8888-7777-6666-555555555555 is not the authority's tenant/,
    );
  });

  it("refuses a token without a user (oid, tid)", async () => {
    expectInvalidToken(
      await listWith(await issuer.sign(claims({ oid: undefined }))),
      /`oid` claim is missing/,
    );
    expectInvalidToken(await listWith(await issuer.sign(claims({ oid: "../x" }))), /`oid` is not/);
    expectInvalidToken(
      await listWith(await issuer.sign(claims({ tid: undefined }))),
      /`tid` claim is missing/,
    );
  });

  it("answers 403 insufficient_scope without Tasks.ReadWrite in scp, as Graph does", async () => {
    for (const scp of [
      undefined,
      "",
      "User.Read",
      "Tasks.Read",
      "tasks.readwrite",
      "Tasks.ReadWrite.All",
    ]) {
      const response = await listWith(await issuer.sign(claims({ scp })));
      expect(response.statusCode).toBe(403);
      expect(json(response)).toMatchObject({ code: "insufficient_scope" });
      expect(response.headers["www-authenticate"]).toBe(
        'Bearer realm="api://00000000-0000-0000-0000-00000007a5c5", error="insufficient_scope", error_description="the token lacks the scope Tasks.ReadWrite", scope="Tasks.ReadWrite"',
      );
    }
    // An app-only token (roles, no scp) is not accepted: this API has no app-only access.
    const appOnly = await issuer.sign(
      claims({ scp: undefined, roles: ["Tasks.ReadWrite"], idtyp: "app" }),
    );
    expect((await listWith(appOnly)).statusCode).toBe(403);
    // Among other scopes it is found.
    expect(
      (await listWith(await issuer.sign(claims({ scp: "User.Read Tasks.ReadWrite" })))).statusCode,
    ).toBe(200);
  });

  it("refuses alg none and HS256 (also keyed with the RSA public key)", async () => {
    expectInvalidToken(await listWith(unsignedToken(claims())), /not signed with RS256/);
    expectInvalidToken(
      await listWith(await hmacToken(claims(), randomBytes(32))),
      /not signed with RS256/,
    );
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(issuer.keys[0]!.jwk));
    expectInvalidToken(
      await listWith(await hmacToken(claims(), publicKeyBytes, issuer.keys[0]!.kid)),
      /not signed with RS256/,
    );
  });

  it("refuses a token signed by a key the authority does not publish", async () => {
    const foreign = await createTestKey(issuer.keys[0]!.kid);
    expectInvalidToken(
      await listWith(await issuer.sign(claims(), { key: foreign })),
      /signature is invalid/,
    );
    const unknownKid = await createTestKey("unknown-kid");
    expectInvalidToken(
      await listWith(await issuer.sign(claims(), { key: unknownKid })),
      /no published signing key/,
    );
  });

  it("picks up a rotated key, refetching the keys at most once per cooldown for unknown kids", async () => {
    const before = issuer.jwksRequests;
    const rotated = await createTestKey("rotated-key");
    issuer.keys = [...issuer.keys, rotated];
    const forged = await createTestKey("forged-kid");
    // Cooldown after the start-up fetch has not passed: an unknown kid does not refetch yet.
    const early = await listWith(await issuer.sign(claims(), { key: rotated }));
    expect(early.statusCode).toBe(401);
    expect(issuer.jwksRequests).toBe(before);
    // jose's cooldown runs on the wall clock, not the test clock: rather than wait 30 s,
    // start a fresh app (its start-up fetch sees the rotated key) and flood that one.
    const fresh = await startTasksApi({ authority: issuer.authority, dataDir: await temp.dir() });
    try {
      const response = await fresh.request(await issuer.sign(claims(), { key: rotated }), {
        url: "/tasks",
      });
      expect(response.statusCode).toBe(200);
      const fetches = issuer.jwksRequests;
      for (let i = 0; i < 5; i++) {
        await fresh.request(await issuer.sign(claims(), { key: forged }), { url: "/tasks" });
      }
      // A flood of unknown kids costs at most one more fetch (none within the cooldown).
      expect(issuer.jwksRequests - fetches).toBeLessThanOrEqual(1);
    } finally {
      await fresh.close();
      issuer.keys = issuer.keys.filter((k) => k !== rotated);
    }
  });

  it("keeps working with its cached keys while the key endpoint is down", async () => {
    issuer.jwksDown = true;
    try {
      expect((await listWith(await issuer.sign(claims()))).statusCode).toBe(200);
    } finally {
      issuer.jwksDown = false;
    }
  });

  it("keeps attacker-chosen claim text out of the header's syntax", async () => {
    const response = await listWith(
      await issuer.sign(claims({ iss: 'x", error="none\r\nX-Evil: 1' })),
    );
    expect(response.statusCode).toBe(401);
    const challenge = response.headers["www-authenticate"] as string;
    expect(challenge.match(/"/g)).toHaveLength(6);
    expect(challenge).not.toMatch(/[\r\n]/);
    expect(response.headers["x-evil"]).toBeUndefined();
  });

  it("never logs the token; the Authorization header is not logged", async () => {
    const token = await issuer.sign(claims());
    await listWith(token);
    await listWith(await issuer.sign(claims({ scp: "User.Read" })));
    await listWith(`${token.slice(0, -4)}AAAA`);
    const logs = api.logs.join("\n");
    const [, payload, signature] = token.split(".");
    expect(logs).not.toContain(payload);
    expect(logs).not.toContain(signature);
    expect(logs).toContain("access token refused");
  });
});

describe("single-tenant authority with ALLOWED_TENANTS set (e.g. shared with the BFF's .env)", () => {
  it("ignores the list: the fixed issuer already names the one tenant", async () => {
    const scoped = await startTasksApi({
      authority: issuer.authority,
      dataDir: await temp.dir(),
      env: { ALLOWED_TENANTS: otherTenant },
    });
    try {
      expect(
        (await scoped.request(await issuer.sign(claims()), { url: "/tasks" })).statusCode,
      ).toBe(200);
    } finally {
      await scoped.close();
    }
  });
});

describe("multi-tenant authority (organizations) with ALLOWED_TENANTS", () => {
  let multi: TestAuthority;
  let multiApi: TestTasksApi;
  beforeAll(async () => {
    multi = await startTestAuthority("organizations");
  });
  afterAll(async () => {
    await multi.close();
  });
  beforeEach(async () => {
    multiApi = await startTasksApi({
      authority: multi.authority,
      dataDir: await temp.dir(),
      env: { ALLOWED_TENANTS: `${tenant.toUpperCase()}, 12345678-1234-1234-1234-123456789abc` },
    });
  });
  afterEach(async () => {
    await multiApi.close();
  });

  const multiClaims = (t: string, overrides: JWTPayload = {}) => {
    const iat = Math.floor(multiApi.clock.now / 1000);
    return {
      aud: devClientId,
      iss: multi.issuerFor(t),
      iat,
      nbf: iat,
      exp: iat + 3600,
      oid,
      scp: "Tasks.ReadWrite",
      tid: t,
      ver: "2.0",
      ...overrides,
    };
  };

  it("accepts an allowed tenant's token under its own issuer", async () => {
    const response = await multiApi.request(await multi.sign(multiClaims(tenant)), {
      url: "/tasks",
    });
    expect(response.statusCode).toBe(200);
  });

  it("refuses a tenant not in ALLOWED_TENANTS", async () => {
    const response = await multiApi.request(await multi.sign(multiClaims(otherTenant)), {
      url: "/tasks",
    });
    expect(response.statusCode).toBe(401);
    expect(json(response).message).toMatch(
      /tenant 99999999-8888-7777-6666-555555555555 is not allowed/,
    );
  });

  it("refuses an allowed tenant's tid under another tenant's issuer", async () => {
    const token = await multi.sign(multiClaims(tenant, { iss: multi.issuerFor(otherTenant) }));
    const response = await multiApi.request(token, { url: "/tasks" });
    expect(response.statusCode).toBe(401);
    expect(json(response).message).toMatch(/`iss`/);
  });

  it("refuses a token signed by a key scoped to another tenant's issuer", async () => {
    const scoped = await createTestKey("other-tenant-key", {
      issuer: multi.issuerFor(otherTenant),
    } as never);
    multi.keys = [...multi.keys, scoped];
    const fresh = await startTasksApi({
      authority: multi.authority,
      dataDir: await temp.dir(),
      env: { ALLOWED_TENANTS: tenant },
    });
    try {
      const response = await fresh.request(await multi.sign(multiClaims(tenant), { key: scoped }), {
        url: "/tasks",
      });
      expect(response.statusCode).toBe(401);
      expect(json(response).message).toMatch(/signing key belongs to another issuer/);
    } finally {
      await fresh.close();
      multi.keys = multi.keys.filter((k) => k !== scoped);
    }
  });
});
