import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createEmulator,
  defaultClient,
  type Emulator,
  type Fault,
  signInAs,
} from "../src/index.ts";
import {
  authorizeUrl,
  type EntraError,
  pkce,
  redirectUri,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
const adele = "AdeleV@contoso.example";

beforeEach(async () => {
  emulator = await createEmulator({ port: 0 });
});
afterEach(() => emulator.close());

const client = () => emulator.clients[0]!;

async function code(user: string | number = adele) {
  const { location } = await signInAs(authorizeUrl(emulator, { nonce: "n-1" }), user);
  return new URL(location).searchParams.get("code")!;
}

function redeem(value: string) {
  return tokenRequest(emulator, {
    grant_type: "authorization_code",
    code: value,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client().clientId,
    client_secret: client().clientSecret,
    client_info: "1",
  });
}

function refresh(refreshToken: string) {
  return tokenRequest(emulator, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    scope: "User.Read openid profile offline_access",
    client_id: client().clientId,
    client_secret: client().clientSecret,
    client_info: "1",
  });
}

async function tokens(response: Promise<Response>) {
  const answer = await response;
  expect(answer.status).toBe(200);
  return (await answer.json()) as TokenResponse;
}

const clientInfoOf = (body: TokenResponse) =>
  JSON.parse(Buffer.from(body.client_info!, "base64url").toString()) as {
    uid: string;
    utid: string;
  };

/** Verifies an ID token as a relying party would: signature by the published key, iss, aud. */
function verifyIdToken(idToken: string) {
  const keys = createRemoteJWKSet(new URL(`${emulator.authority}/discovery/v2.0/keys`));
  return jwtVerify(idToken, keys, { algorithms: ["RS256"] });
}

describe("other_user: a token answer for someone else", () => {
  it("a refresh answer names the next user in the ID token, client_info and access token", async () => {
    const first = await tokens(redeem(await code()));
    emulator.faults.add({ target: "token", kind: "other_user", grantType: "refresh_token" });
    // The code grant is untouched by a refresh_token fault.
    const second = await tokens(redeem(await code()));
    expect(decodeJwt(second.id_token!).preferred_username).toBe(adele);

    const renewed = await tokens(refresh(first.refresh_token!));
    const alex = emulator.users[1]!;
    const { payload } = await verifyIdToken(renewed.id_token!);
    expect(payload).toMatchObject({
      oid: alex.oid,
      preferred_username: alex.userPrincipalName,
      name: alex.displayName,
      aud: client().clientId,
      tid: emulator.tenantId,
    });
    expect(payload.sub).not.toBe(decodeJwt(first.id_token!).sub);
    expect(clientInfoOf(renewed)).toEqual({ uid: alex.oid, utid: emulator.tenantId });
    expect(decodeJwt(renewed.access_token)).toMatchObject({
      oid: alex.oid,
      upn: alex.userPrincipalName,
    });
    // Until cleared.
    const again = await tokens(refresh(first.refresh_token!));
    expect(decodeJwt(again.id_token!).oid).toBe(alex.oid);
  });

  it("names a given user (UPN or oid), for the given number of answers", async () => {
    const first = await tokens(redeem(await code()));
    const alex = emulator.users[1]!;
    emulator.faults.add({ target: "token", kind: "other_user", user: alex.oid, times: 1 });
    expect(decodeJwt((await tokens(refresh(first.refresh_token!))).id_token!).oid).toBe(alex.oid);
    expect(decodeJwt((await tokens(refresh(first.refresh_token!))).id_token!).oid).toBe(
      emulator.users[0]!.oid,
    );
  });
});

describe("id_token_claims: a properly signed ID token that says too much or too little", () => {
  const cases: {
    name: string;
    fault: Extract<Fault, { kind: "id_token_claims" }>;
    check: (claims: Record<string, unknown>) => void;
  }[] = [
    {
      name: "an extra audience",
      fault: {
        target: "token",
        kind: "id_token_claims",
        set: { aud: [defaultClient.clientId, "other-app"] },
      },
      check: (claims) => expect(claims.aud).toEqual([defaultClient.clientId, "other-app"]),
    },
    {
      name: "no oid",
      fault: { target: "token", kind: "id_token_claims", remove: ["oid", "tid"] },
      check: (claims) => {
        expect(claims).not.toHaveProperty("oid");
        expect(claims).not.toHaveProperty("tid");
        expect(claims).toHaveProperty("sub");
      },
    },
    {
      name: "a huge name",
      fault: { target: "token", kind: "id_token_claims", set: { name: "x".repeat(20_000) } },
      check: (claims) => expect(claims.name).toHaveLength(20_000),
    },
    {
      name: "an iat long ago",
      fault: { target: "token", kind: "id_token_claims", set: { iat: 1_000_000_000 } },
      check: (claims) => expect(claims.iat).toBe(1_000_000_000),
    },
    {
      name: "another azp",
      fault: { target: "token", kind: "id_token_claims", set: { azp: "other-app" } },
      check: (claims) => expect(claims.azp).toBe("other-app"),
    },
  ];

  for (const { name, fault, check } of cases) {
    it(`${name}, signed by the emulator's key`, async () => {
      emulator.faults.add({ ...fault, times: 1 });
      const body = await tokens(redeem(await code()));
      const { payload } = await verifyIdToken(body.id_token!);
      check(payload as Record<string, unknown>);
      // The rest of the answer is the real one.
      expect(payload.preferred_username).toBe(adele);
      expect(decodeJwt(body.access_token).oid).toBe(emulator.users[0]!.oid);
      // times: 1 — the next answer is honest.
      const next = await tokens(refresh(body.refresh_token!));
      expect(decodeJwt(next.id_token!)).toMatchObject({
        oid: emulator.users[0]!.oid,
        aud: client().clientId,
      });
    });
  }

  it("replaces client_info, only for the grant named", async () => {
    const first = await tokens(redeem(await code()));
    emulator.faults.add({
      target: "token",
      kind: "id_token_claims",
      clientInfo: { uid: "someone-else", utid: "another-tenant" },
      grantType: "refresh_token",
    });
    expect(clientInfoOf(await tokens(redeem(await code())))).toEqual({
      uid: emulator.users[0]!.oid,
      utid: emulator.tenantId,
    });
    const renewed = await tokens(refresh(first.refresh_token!));
    expect(clientInfoOf(renewed)).toEqual({ uid: "someone-else", utid: "another-tenant" });
    expect(decodeJwt(renewed.id_token!).oid).toBe(emulator.users[0]!.oid);
  });
});

describe("replayable_code", () => {
  it("the next redemption does not spend the code; the one after does", async () => {
    emulator.faults.add({ target: "token", kind: "replayable_code", times: 1 });
    const value = await code();
    const first = await tokens(redeem(value));
    const second = await tokens(redeem(value));
    expect(decodeJwt(second.id_token!).oid).toBe(decodeJwt(first.id_token!).oid);
    const third = await redeem(value);
    expect(third.status).toBe(400);
    expect(((await third.json()) as EntraError).error_codes).toEqual([54005]);
  });
});

describe("discovery issuer", () => {
  it("the discovery document names the issuer given, then the real one again", async () => {
    const url = `${emulator.authority}/v2.0/.well-known/openid-configuration`;
    const other = "https://localhost/bbbbcccc-1111-dddd-2222-eeee3333ffff/v2.0";
    emulator.faults.add({ target: "discovery", kind: "issuer", issuer: other, times: 1 });
    const forged = (await (await fetch(url)).json()) as { issuer: string; token_endpoint: string };
    expect(forged.issuer).toBe(other);
    expect(forged.token_endpoint).toBe(`${emulator.authority}/oauth2/v2.0/token`);
    const honest = (await (await fetch(url)).json()) as { issuer: string };
    expect(honest.issuer).toBe(`${emulator.authority}/v2.0`);
  });
});

describe("identity fault validation", () => {
  const post = (body: unknown) =>
    fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("names what is wrong, over HTTP and in code, and adds nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [
        { target: "token", kind: "other_user", user: "nobody@contoso.example" },
        /^an other_user fault names unknown user "nobody@contoso\.example"; the emulator has AdeleV@contoso\.example, /,
      ],
      [{ target: "token", kind: "other_user", user: 42 }, /^an other_user fault's user must be/],
      [
        { target: "token", kind: "id_token_claims" },
        /^an id_token_claims fault needs set, remove or clientInfo$/,
      ],
      [{ target: "token", kind: "id_token_claims", set: [1] }, /set must be an object of claims$/],
      [
        { target: "token", kind: "id_token_claims", remove: "oid" },
        /remove must be an array of claim names$/,
      ],
      [
        { target: "token", kind: "id_token_claims", clientInfo: { uid: "x" } },
        /clientInfo must be \{ "uid": string, "utid": string \}$/,
      ],
      [
        { target: "token", kind: "replayable_code", grantType: "refresh_token" },
        /^a replayable_code fault applies to code redemptions/,
      ],
      [{ target: "discovery", kind: "issuer" }, /^an issuer fault needs issuer/],
      [
        { target: "keys", kind: "issuer", issuer: "x" },
        /^fault\.kind for target "keys" must be one of delay$/,
      ],
    ];
    for (const [fault, message] of cases) {
      const response = await post(fault);
      expect(response.status, JSON.stringify(fault)).toBe(400);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe("invalid_fault");
      expect(body.message).toMatch(message);
      expect(() => emulator.faults.add(fault as Fault)).toThrow(TypeError);
    }
    // Nothing was added: an honest sign-in.
    const body = await tokens(redeem(await code()));
    expect(decodeJwt(body.id_token!).preferred_username).toBe(adele);
  });
});
