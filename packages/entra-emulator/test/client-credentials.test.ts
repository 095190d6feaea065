// Client secrets and certificate client assertions (private_key_jwt) at the token endpoint,
// through @azure/msal-node and as raw requests.
import { randomUUID } from "node:crypto";
import * as msal from "@azure/msal-node";
import { base64url, importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientCertificate,
  type ClientRegistration,
  createClientCertificate,
  createEmulator,
  type Emulator,
  jwtBearerAssertionType,
  signInAs,
} from "../src/index.ts";
import {
  beginSignIn,
  callbackParams,
  type EntraError,
  redirectUri,
  tokenRequest,
} from "./helpers.ts";

const dayMs = 86_400_000;
let now = Date.now();
let emulator: Emulator;
let current: ClientCertificate;
let expired: ClientCertificate;
let unregistered: ClientCertificate;

const secretsApp: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-00000000c5e1",
  redirectUris: [redirectUri],
  secrets: [
    { value: "dev-only-expired-secret", expiresAt: new Date(now - dayMs).toISOString() },
    { value: "dev-only-current-secret", expiresAt: new Date(now + 30 * dayMs).toISOString() },
  ],
  clientSecret: "dev-only-legacy-secret",
};
const certificateApp: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-00000000ce71",
  redirectUris: [redirectUri],
};

beforeAll(async () => {
  [current, expired, unregistered] = await Promise.all([
    createClientCertificate(),
    createClientCertificate({
      notBefore: new Date(now - 400 * dayMs),
      notAfter: new Date(now - dayMs),
    }),
    createClientCertificate(),
  ]);
  certificateApp.certificates = [expired.certificate, current.certificate];
  emulator = await createEmulator({
    port: 0,
    now: () => now,
    clients: [secretsApp, certificateApp],
  });
});
afterAll(() => emulator?.close());

/** A refresh with a made-up token: a credential the emulator accepts gets to the grant (AADSTS9002313). */
async function presentCredential(
  params: Record<string, string | undefined>,
  headers: Record<string, string> = {},
) {
  const response = await tokenRequest(
    emulator,
    { grant_type: "refresh_token", refresh_token: "1.dev-only.unknown", ...params },
    { headers },
  );
  const body = (await response.json()) as EntraError;
  return { status: response.status, error: body.error, code: body.error_codes[0], body };
}

const tokenEndpoint = () => `${emulator.authority}/oauth2/v2.0/token`;

async function assertion(
  certificate: ClientCertificate,
  options: {
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
    alg?: "PS256" | "RS256";
    signWith?: ClientCertificate;
  } = {},
) {
  const alg = options.alg ?? "PS256";
  const key = await importPKCS8((options.signWith ?? certificate).privateKey, alg);
  const iat = Math.floor(now / 1000);
  return new SignJWT({
    aud: tokenEndpoint(),
    exp: iat + 600,
    iss: certificateApp.clientId,
    jti: randomUUID(),
    nbf: iat,
    sub: certificateApp.clientId,
    ...options.claims,
  })
    .setProtectedHeader({
      alg,
      typ: "JWT",
      "x5t#S256": base64url.encode(Buffer.from(certificate.thumbprintSha256, "hex")),
      ...options.header,
    })
    .sign(key);
}

const withAssertion = (jwt: string) => ({
  client_id: certificateApp.clientId,
  client_assertion_type: jwtBearerAssertionType,
  client_assertion: jwt,
});

describe("client secrets", () => {
  it("accepts any unexpired secret of the registration, by post or basic", async () => {
    for (const secret of ["dev-only-current-secret", "dev-only-legacy-secret"]) {
      const posted = await presentCredential({
        client_id: secretsApp.clientId,
        client_secret: secret,
      });
      expect(posted.code).toBe(9002313);
      const basic = Buffer.from(`${secretsApp.clientId}:${secret}`).toString("base64");
      const sent = await presentCredential({}, { authorization: `Basic ${basic}` });
      expect(sent.code).toBe(9002313);
    }
  });

  it("answers AADSTS7000222 for an expired secret and AADSTS7000215 for a wrong one", async () => {
    const old = await presentCredential({
      client_id: secretsApp.clientId,
      client_secret: "dev-only-expired-secret",
    });
    expect(old).toMatchObject({ status: 401, error: "invalid_client", code: 7000222 });
    expect(old.body.error_description).toMatch(
      new RegExp(
        `^AADSTS7000222: The provided client secret keys for app '${secretsApp.clientId}' are expired\\.`,
      ),
    );
    const wrong = await presentCredential({
      client_id: secretsApp.clientId,
      client_secret: "dev-only-not-a-secret",
    });
    expect(wrong).toMatchObject({ status: 401, error: "invalid_client", code: 7000215 });
  });

  it("expires a secret when the emulator's clock passes its expiresAt", async () => {
    const saved = now;
    now += 31 * dayMs;
    try {
      const later = await presentCredential({
        client_id: secretsApp.clientId,
        client_secret: "dev-only-current-secret",
      });
      expect(later.code).toBe(7000222);
    } finally {
      now = saved;
    }
  });

  it("refuses a request naming both a secret and an assertion, or none", async () => {
    const both = await presentCredential({
      client_id: secretsApp.clientId,
      client_secret: "dev-only-current-secret",
      client_assertion_type: jwtBearerAssertionType,
      client_assertion: "x.y.z",
    });
    expect(both).toMatchObject({ status: 400, error: "invalid_request", code: 90023 });
    const none = await presentCredential({ client_id: secretsApp.clientId });
    expect(none).toMatchObject({ status: 401, code: 7000218 });
  });
});

describe("certificate client assertions", () => {
  const certificateClient = (target = emulator) =>
    new msal.ConfidentialClientApplication({
      auth: {
        clientId: certificateApp.clientId,
        authority: target.authority,
        knownAuthorities: [new URL(target.url).host],
        clientCertificate: {
          thumbprintSha256: current.thumbprintSha256,
          privateKey: current.privateKey,
          x5c: current.certificate,
        },
      },
    });

  it("signs in and renews with msal-node's clientCertificate (x5t#S256, PS256)", async () => {
    const cca = certificateClient();
    const signIn = await beginSignIn(cca);
    const params = callbackParams((await signInAs(signIn.url, 0)).location);
    const result = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: signIn.scopes,
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    expect(result.account?.username).toBe("AdeleV@contoso.example");
    // A client instance signs one assertion and reuses it for 10 minutes: renew on a fresh
    // instance (as the BFF does for every token request), so the assertion is new.
    const renewing = certificateClient();
    renewing.getTokenCache().deserialize(cca.getTokenCache().serialize());
    const renewed = await renewing.acquireTokenSilent({
      account: result.account!,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(renewed.fromCache).toBe(false);
    // The same instance again presents its first assertion: a replay.
    await expect(
      cca.acquireTokenSilent({
        account: result.account!,
        scopes: ["User.Read"],
        forceRefresh: true,
      }),
    ).rejects.toMatchObject({ errorCode: "invalid_request", errorNo: 50027 });
  });

  it("with allowAssertionReplay, accepts msal-node's reused assertion as Entra does", async () => {
    const lenient = await createEmulator({
      port: 0,
      clients: [certificateApp],
      allowAssertionReplay: true,
    });
    try {
      const cca = certificateClient(lenient);
      const signIn = await beginSignIn(cca);
      const params = callbackParams((await signInAs(signIn.url, 0)).location);
      const result = await cca.acquireTokenByCode({
        code: params.code!,
        scopes: signIn.scopes,
        redirectUri,
        codeVerifier: signIn.verifier,
        nonce: signIn.nonce,
      });
      const renewed = await cca.acquireTokenSilent({
        account: result.account!,
        scopes: ["User.Read"],
        forceRefresh: true,
      });
      expect(renewed.fromCache).toBe(false);
    } finally {
      await lenient.close();
    }
  });

  it("accepts the SHA-1 thumbprint (x5t) with RS256, as older clients send it", async () => {
    const jwt = await assertion(current, {
      alg: "RS256",
      header: {
        "x5t#S256": undefined,
        x5t: base64url.encode(Buffer.from(current.thumbprintSha1, "hex")),
      },
    });
    expect((await presentCredential(withAssertion(jwt))).code).toBe(9002313);
  });

  it("answers AADSTS700027 for an unregistered, an expired or a mismatched certificate", async () => {
    const notRegistered = await presentCredential(withAssertion(await assertion(unregistered)));
    expect(notRegistered).toMatchObject({ status: 401, error: "invalid_client", code: 700027 });
    expect(notRegistered.body.error_description).toContain(
      `Thumbprint of key used by client: '${unregistered.thumbprintSha256}'`,
    );
    const old = await presentCredential(withAssertion(await assertion(expired)));
    expect(old.code).toBe(700027);
    expect(old.body.error_description).toContain("The key used is expired.");
    // Names the registered certificate, signed by another key.
    const forged = await presentCredential(
      withAssertion(await assertion(current, { signWith: unregistered })),
    );
    expect(forged.code).toBe(700027);
    expect(forged.body.error_description).toContain("signature");
  });

  it("checks iss = sub = client id, aud = the token endpoint, and the times", async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ sub: "00000000-0000-0000-0000-0000000000ff" }, 700021],
      [{ aud: "https://login.microsoftonline.com/common/oauth2/v2.0/token" }, 700023],
      [{ exp: Math.floor(now / 1000) - 3600, nbf: Math.floor(now / 1000) - 4000 }, 700024],
      [{ nbf: Math.floor(now / 1000) + 3600, exp: Math.floor(now / 1000) + 3900 }, 700024],
      // Valid for an hour: longer than the 10 minutes an assertion may live.
      [{ exp: Math.floor(now / 1000) + 3600 }, 700024],
      [{ jti: undefined }, 50027],
    ];
    for (const [claims, code] of cases) {
      const response = await presentCredential(withAssertion(await assertion(current, { claims })));
      expect({ claims, code: response.code }).toEqual({ claims, code });
    }
    const ok = await presentCredential(
      withAssertion(
        await assertion(current, { claims: { aud: `${emulator.authority}/oauth2/token` } }),
      ),
    );
    expect(ok.code).toBe(9002313);
  });

  it("accepts an assertion once: a replayed jti is refused", async () => {
    const jwt = await assertion(current);
    expect((await presentCredential(withAssertion(jwt))).code).toBe(9002313);
    const replay = await presentCredential(withAssertion(jwt));
    expect(replay).toMatchObject({ status: 400, code: 50027 });
    expect(replay.body.error_description).toContain("already used");
  });

  it("refuses other algorithms, other assertion types and malformed assertions", async () => {
    const hs = await new SignJWT({ iss: certificateApp.clientId, sub: certificateApp.clientId })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("dev-only-symmetric-key-of-32-bytes!!"));
    expect((await presentCredential(withAssertion(hs))).code).toBe(5002730);
    const otherType = await presentCredential({
      ...withAssertion(await assertion(current)),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
    });
    expect(otherType).toMatchObject({ status: 400, code: 90023 });
    const noType = await presentCredential({
      ...withAssertion(await assertion(current)),
      client_assertion_type: undefined,
    });
    expect(noType).toMatchObject({ status: 400, code: 900144 });
    expect((await presentCredential(withAssertion("not-a-jwt"))).code).toBe(50027);
  });

  it("follows certificate changes in the registration at once", async () => {
    const rotated = await createClientCertificate();
    const jwt = await assertion(rotated);
    expect((await presentCredential(withAssertion(jwt))).code).toBe(700027);
    certificateApp.certificates = [...certificateApp.certificates!, rotated.certificate];
    expect((await presentCredential(withAssertion(await assertion(rotated)))).code).toBe(9002313);
  });
});
