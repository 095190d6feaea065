import { createSecretKey } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { clockSkewSeconds, createIdTokenValidator, IdTokenError } from "../src/id-token.ts";
import {
  createSigningKey,
  type JwksServer,
  type SigningKey,
  signIdToken,
  startJwksServer,
  unsignedToken,
} from "./helpers/jwks-server.ts";

const tenant = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
const issuer = `https://login.example.test/${tenant}/v2.0`;
const clientId = "00000000-0000-0000-0000-0000000b0ff1";
const nonce = "n-0S6_WzA2Mj";
const nowMs = Date.UTC(2030, 0, 1, 12, 0, 0);
const nowS = nowMs / 1000;

let server: JwksServer;
let key: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  key = await createSigningKey("key-1");
  otherKey = await createSigningKey("key-1"); // same kid, different key: a forgery
  server = await startJwksServer([key]);
});
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
});

function validator(options: { issuer?: string; now?: number } = {}) {
  return createIdTokenValidator({
    issuer: options.issuer ?? issuer,
    jwksUri: server.url,
    clientId,
    timeoutMs: 2000,
    now: () => options.now ?? nowMs,
  });
}

function claims(overrides: Record<string, unknown> = {}) {
  return {
    iss: issuer,
    aud: clientId,
    iat: nowS - 10,
    nbf: nowS - 10,
    exp: nowS + 3600,
    nonce,
    tid: tenant,
    oid: "11111111-2222-3333-4444-555555555555",
    sub: "pairwise-subject",
    name: "Adele Vance",
    preferred_username: "AdeleV@contoso.example",
    ver: "2.0",
    ...overrides,
  };
}

async function rejection(
  token: string,
  validate = validator(),
  expectedNonce = nonce,
): Promise<IdTokenError> {
  const error = await validate(token, expectedNonce).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IdTokenError);
  return error as IdTokenError;
}

describe("validateIdToken", () => {
  it("accepts a token signed by a published key, for this client, tenant and nonce", async () => {
    const payload = await validator()(await signIdToken(key, claims()), nonce);
    expect(payload).toMatchObject({ tid: tenant, name: "Adele Vance", nonce });
  });

  it("rejects a signature by an unpublished key", async () => {
    const error = await rejection(await signIdToken(otherKey, claims()));
    expect(error.message).toBe("the signature is invalid");
    expect(error.keysUnavailable).toBe(false);
  });

  it("rejects alg none", async () => {
    expect((await rejection(unsignedToken(claims()))).message).toBe(
      "the token is not signed with RS256",
    );
  });

  it("rejects HS256 (the public key used as an HMAC secret)", async () => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: "HS256", kid: "key-1" })
      .sign(createSecretKey(Buffer.from(JSON.stringify(key.jwk))));
    expect((await rejection(token)).message).toBe("the token is not signed with RS256");
  });

  it("rejects a token for another client", async () => {
    const error = await rejection(await signIdToken(key, claims({ aud: "another-client" })));
    expect(error.message).toBe(
      'claim `aud` failed validation (check_failed): unexpected "aud" claim value',
    );
  });

  it("rejects another issuer", async () => {
    const error = await rejection(
      await signIdToken(
        key,
        claims({ iss: "https://evil.example/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0" }),
      ),
    );
    expect(error.message).toBe(
      `\`iss\` is "https://evil.example/aaaabbbb-0000-cccc-1111-dddd2222eeee/v2.0", expected "${issuer}" (the discovery document's issuer)`,
    );
  });

  it("rejects an expired token beyond the skew, and accepts one within it", async () => {
    const expired = await signIdToken(key, claims({ exp: nowS - clockSkewSeconds - 1 }));
    expect((await rejection(expired)).message).toBe("the token has expired (`exp`)");
    const withinSkew = await signIdToken(key, claims({ exp: nowS - clockSkewSeconds + 5 }));
    await expect(validator()(withinSkew, nonce)).resolves.toMatchObject({ tid: tenant });
  });

  it("rejects a token not valid yet (nbf) or issued in the future (iat)", async () => {
    const notYet = await signIdToken(key, claims({ nbf: nowS + clockSkewSeconds + 60 }));
    expect((await rejection(notYet)).message).toMatch(/^claim `nbf` failed validation/);
    const future = await signIdToken(key, claims({ iat: nowS + clockSkewSeconds + 60 }));
    expect((await rejection(future)).message).toMatch(
      /^claim `iat` failed validation|^`iat` is in the future$/,
    );
  });

  it("rejects a nonce from another sign-in, and a missing nonce", async () => {
    const other = await signIdToken(key, claims({ nonce: "someone-elses" }));
    expect((await rejection(other)).message).toBe(
      "`nonce` does not match the sign-in transaction; the token was not issued for this sign-in",
    );
    const { nonce: _n, ...withoutNonce } = claims();
    const missing = await signIdToken(key, withoutNonce);
    expect((await rejection(missing)).message).toBe(
      "the `nonce` claim is missing: the token was not issued for this sign-in",
    );
  });

  it("rejects a token without tid, or from another tenant of a single-tenant authority", async () => {
    const { tid: _t, ...withoutTid } = claims();
    expect((await rejection(await signIdToken(key, withoutTid))).message).toBe(
      'claim `tid` failed validation (missing): missing required "tid" claim',
    );
    const foreign = await signIdToken(key, claims({ tid: "99999999-0000-0000-0000-000000000000" }));
    expect((await rejection(foreign)).message).toBe(
      `\`tid\` is "99999999-0000-0000-0000-000000000000", expected the authority's tenant "${tenant}"`,
    );
  });

  it("substitutes the token's tid into a {tenantid} issuer template (multi-tenant authorities)", async () => {
    const template = "https://login.example.test/{tenantid}/v2.0";
    const other = "99999999-0000-0000-0000-000000000000";
    const validate = validator({ issuer: template });
    const token = await signIdToken(
      key,
      claims({ tid: other, iss: `https://login.example.test/${other}/v2.0` }),
    );
    await expect(validate(token, nonce)).resolves.toMatchObject({ tid: other });
    // A tenant cannot issue under another tenant's issuer.
    const mismatched = await signIdToken(key, claims({ tid: other, iss: issuer }));
    expect((await rejection(mismatched, validate)).message).toBe(
      `\`iss\` is "${issuer}", expected "https://login.example.test/${other}/v2.0" (the discovery document's issuer)`,
    );
  });

  it("refetches the keys for an unknown kid, at most once per 30 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: nowMs });
    const rotated = await createSigningKey("key-2");
    server.keys = [key];
    const validate = validator();
    await validate(await signIdToken(key, claims()), nonce);
    const before = server.requests;

    server.keys = [key, rotated];
    const tokenWithNewKid = await signIdToken(rotated, claims());
    // Within the cooldown: no request, the unknown kid is refused.
    expect((await rejection(tokenWithNewKid, validate)).message).toBe(
      "no published signing key matches the token's `kid`",
    );
    expect(server.requests).toBe(before);

    vi.setSystemTime(nowMs + 31_000);
    await expect(validate(tokenWithNewKid, nonce)).resolves.toMatchObject({ tid: tenant });
    expect(server.requests).toBe(before + 1);
    server.keys = [key];
  });

  it("reports unreachable keys as an outage, not as a bad token", async () => {
    const validate = createIdTokenValidator({
      issuer,
      jwksUri: "http://127.0.0.1:9/keys",
      clientId,
      timeoutMs: 2000,
      now: () => nowMs,
    });
    const error = await rejection(await signIdToken(key, claims()), validate);
    expect(error.keysUnavailable).toBe(true);
  });
});
