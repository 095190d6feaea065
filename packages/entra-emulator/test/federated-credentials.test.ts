// Workload identity federation: tokens of a trusted external issuer as the app's credential.
import { createServer, type Server } from "node:http";
import * as msal from "@azure/msal-node";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientRegistration,
  createEmulator,
  type Emulator,
  type FederatedIssuer,
  jwtBearerAssertionType,
  signInAs,
} from "../src/index.ts";
import {
  beginSignIn,
  callbackParams,
  type EntraError,
  redirectUri,
  signInAndRedeem,
  tokenRequest,
} from "./helpers.ts";

const subject = "system:serviceaccount:prod:entra-bff";
const app: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-0000000f1c01",
  redirectUris: [redirectUri],
};
let now = Date.now();
let emulator: Emulator;
let aks: FederatedIssuer;

beforeAll(async () => {
  emulator = await createEmulator({ port: 0, now: () => now });
  emulator.clients.push(app);
  aks = emulator.federatedIssuer("aks");
  app.federatedCredentials = [{ issuer: aks.issuer, subject }];
});
afterAll(() => emulator?.close());

async function present(token: string, clientId = app.clientId) {
  const response = await tokenRequest(emulator, {
    grant_type: "refresh_token",
    refresh_token: "1.dev-only.unknown",
    client_id: clientId,
    client_assertion_type: jwtBearerAssertionType,
    client_assertion: token,
  });
  const body = (await response.json()) as EntraError;
  return {
    status: response.status,
    code: body.error_codes[0],
    description: body.error_description,
  };
}
/** Client authentication passed: the made-up refresh token is what fails. */
const accepted = 9002313;

describe("a hosted issuer", () => {
  it("publishes discovery and keys like a Kubernetes service-account issuer", async () => {
    await aks.mint({ subject });
    const discovery = await fetch(`${aks.issuer}/.well-known/openid-configuration`);
    const document = (await discovery.json()) as { issuer: string; jwks_uri: string };
    expect(document).toMatchObject({
      issuer: aks.issuer,
      jwks_uri: `${aks.issuer}/openid/v1/jwks`,
    });
    const jwks = (await (await fetch(document.jwks_uri)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect((await fetch(`${emulator.url}/_federated/nobody/openid/v1/jwks`)).status).toBe(404);
  });

  it("signs in and renews with msal-node's clientAssertion callback", async () => {
    const cca = () =>
      new msal.ConfidentialClientApplication({
        auth: {
          clientId: app.clientId,
          authority: emulator.authority,
          knownAuthorities: [new URL(emulator.url).host],
          clientAssertion: async () => aks.mint({ subject }),
        },
      });
    const first = cca();
    const signIn = await beginSignIn(first);
    const params = callbackParams((await signInAs(signIn.url, 0)).location);
    const result = await first.acquireTokenByCode({
      code: params.code!,
      scopes: signIn.scopes,
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    expect(result.account?.username).toBe("AdeleV@contoso.example");
    const renewing = cca();
    renewing.getTokenCache().deserialize(first.getTokenCache().serialize());
    const renewed = await renewing.acquireTokenSilent({
      account: result.account!,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(renewed.fromCache).toBe(false);
  });

  it("matches issuer, subject and audience exactly, with Entra's codes", async () => {
    expect((await present(await aks.mint({ subject }))).code).toBe(accepted);
    const other = emulator.federatedIssuer("github");
    expect((await present(await other.mint({ subject }))).code).toBe(700211);
    const wrongSubject = await present(await aks.mint({ subject: `${subject}-v2` }));
    expect(wrongSubject).toMatchObject({ status: 401, code: 700213 });
    expect(wrongSubject.description).toContain(`'${subject}-v2'`);
    const upper = await present(await aks.mint({ subject: subject.toUpperCase() }));
    expect(upper.code).toBe(700213);
    const wrongAudience = await present(await aks.mint({ subject, audience: "api://other" }));
    expect(wrongAudience).toMatchObject({ status: 401, code: 700212 });

    app.federatedCredentials!.push({ issuer: aks.issuer, subject: "ci", audiences: ["api://ci"] });
    expect((await present(await aks.mint({ subject: "ci", audience: "api://ci" }))).code).toBe(
      accepted,
    );
    expect((await present(await aks.mint({ subject: "ci" }))).code).toBe(700212);
    app.federatedCredentials!.pop();
  });

  it("refuses an expired token, a rotated-out key and a forged signature", async () => {
    const short = await aks.mint({ subject, lifetimeSeconds: 60 });
    now += 10 * 60_000;
    try {
      // Still valid by the host's clock, which the client's token may have been made by.
      expect((await present(short)).code).toBe(accepted);
      const t = Math.floor(now / 1000);
      const expired = await aks.mint({
        subject,
        claims: { iat: t - 7200, nbf: t - 7200, exp: t - 3600 },
      });
      expect(await present(expired)).toMatchObject({ status: 401, code: 700024 });
    } finally {
      now -= 10 * 60_000;
    }

    const beforeRotation = await aks.mint({ subject });
    await aks.rotateKey();
    expect((await present(beforeRotation)).code).toBe(7000272);
    expect((await present(await aks.mint({ subject }))).code).toBe(accepted);

    // The issuer's claims, signed by someone else's key under the issuer's key id.
    const genuine = await aks.mint({ subject });
    const kid = JSON.parse(Buffer.from(genuine.split(".")[0]!, "base64url").toString()).kid;
    const { privateKey } = await generateKeyPair("RS256");
    const iat = Math.floor(now / 1000);
    const forged = await new SignJWT({
      aud: ["api://AzureADTokenExchange"],
      iss: aks.issuer,
      sub: subject,
      iat,
      exp: iat + 600,
    })
      .setProtectedHeader({ alg: "RS256", kid })
      .sign(privateKey);
    expect(await present(forged)).toMatchObject({ status: 400, code: 50027 });
  });

  it("accepts no Entra token but a managed identity's for the Entra issuer", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    const idToken = tokens.id_token!;
    const claims = JSON.parse(Buffer.from(idToken.split(".")[1]!, "base64url").toString());
    app.federatedCredentials!.push({
      issuer: claims.iss,
      subject: claims.sub,
      audiences: [claims.aud],
    });
    try {
      expect((await present(idToken)).code).toBe(700226);
    } finally {
      app.federatedCredentials!.pop();
    }
  });
});

describe("an external issuer", () => {
  let server: Server;
  let issuerUrl: string;
  let discoveryIssuer: string | undefined;
  let discoveryStatus = 200;
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    signingKey = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(signingKey.publicKey)), kid: "ext-1", use: "sig" };
    server = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      if (request.url === "/.well-known/openid-configuration") {
        response.statusCode = discoveryStatus;
        response.end(
          JSON.stringify({ issuer: discoveryIssuer ?? issuerUrl, jwks_uri: `${issuerUrl}/keys` }),
        );
      } else if (request.url === "/keys") {
        response.end(JSON.stringify({ keys: [jwk] }));
      } else {
        response.statusCode = 404;
        response.end("{}");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    issuerUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const externalToken = async () => {
    const iat = Math.floor(now / 1000);
    return new SignJWT({
      aud: "api://AzureADTokenExchange",
      iss: issuerUrl,
      sub: "repo:contoso/entra-bff:ref:refs/heads/main",
      iat,
      exp: iat + 300,
    })
      .setProtectedHeader({ alg: "RS256", kid: "ext-1" })
      .sign(signingKey.privateKey);
  };
  const client: ClientRegistration = {
    clientId: "00000000-0000-0000-0000-0000000f1c02",
    redirectUris: [redirectUri],
  };

  it("verifies the token with the keys its discovery document names", async () => {
    emulator.clients.push(client);
    client.federatedCredentials = [
      { issuer: issuerUrl, subject: "repo:contoso/entra-bff:ref:refs/heads/main" },
    ];
    expect((await present(await externalToken(), client.clientId)).code).toBe(accepted);
  });

  it("answers AADSTS501661 when the discovery document fails or names another issuer", async () => {
    const fresh = await createEmulator({ port: 0, clients: [client] });
    try {
      const presentTo = async (token: string) => {
        const response = await tokenRequest(fresh, {
          grant_type: "refresh_token",
          refresh_token: "1.dev-only.unknown",
          client_id: client.clientId,
          client_assertion_type: jwtBearerAssertionType,
          client_assertion: token,
        });
        return ((await response.json()) as EntraError).error_codes[0];
      };
      discoveryStatus = 500;
      expect(await presentTo(await externalToken())).toBe(501661);
      discoveryStatus = 200;
      discoveryIssuer = "https://attacker.example";
      expect(await presentTo(await externalToken())).toBe(501661);
      discoveryIssuer = undefined;
      expect(await presentTo(await externalToken())).toBe(accepted);
    } finally {
      discoveryStatus = 200;
      discoveryIssuer = undefined;
      await fresh.close();
    }
  });
});
