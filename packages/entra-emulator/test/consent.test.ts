import * as msal from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  consentFields,
  createEmulator,
  type Emulator,
  signInAs,
  signInFields,
  type UserConsent,
} from "../src/index.ts";
import {
  authorizeUrl,
  beginSignIn,
  callbackParams,
  type EntraError,
  msalClient,
  pkce,
  redirectUri,
  type TokenResponse,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
let now: number;
const adele = "AdeleV@contoso.example";
const alex = "AlexW@contoso.example";
const withMail = "User.Read Mail.Read openid profile offline_access";

beforeEach(async () => {
  now = Date.now();
  emulator = await createEmulator({ port: 0, now: () => now });
});
afterEach(() => emulator.close());

const client = () => emulator.clients[0]!;
const authorizeAction = () => `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/authorize`;
const consentAction = () => `${emulator.browserUrl}/${emulator.tenantId}/oauth2/v2.0/consent`;

function redeem(location: string) {
  return tokenRequest(emulator, {
    grant_type: "authorization_code",
    code: new URL(location).searchParams.get("code")!,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: client().clientId,
    client_secret: client().clientSecret,
  });
}

function refresh(refreshToken: string, scope: string | undefined) {
  return tokenRequest(emulator, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    scope,
    client_id: client().clientId,
    client_secret: client().clientSecret,
  });
}

/** Opens the authorize URL and picks `login` by hand, as a browser without JS would. */
async function pickAccount(params: Record<string, string | undefined>, login: string) {
  const page = await (await fetch(authorizeUrl(emulator, params))).text();
  const transaction = new RegExp(`name="${signInFields.transaction}" value="([^"]+)"`).exec(
    page,
  )![1]!;
  const response = await fetch(authorizeAction(), {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({
      [signInFields.transaction]: transaction,
      [signInFields.user]: login,
    }),
  });
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith("entra_emulator_sid="))
    ?.split(";")[0];
  return { response, cookie };
}

function answerConsent(fields: Record<string, string>, cookie: string | undefined) {
  return fetch(consentAction(), {
    method: "POST",
    redirect: "manual",
    headers: cookie ? { cookie } : {},
    body: new URLSearchParams(fields),
  });
}

async function consentPrompt(params: Record<string, string | undefined>, login: string) {
  const { response, cookie } = await pickAccount(params, login);
  expect(response.status).toBe(200);
  const html = await response.text();
  const request = new RegExp(`name="${consentFields.request}" value="([^"]+)"`).exec(html)![1]!;
  return { html, request, cookie };
}

async function expectEntraError(response: Response, error: string, code: number) {
  expect(response.status).toBe(400);
  const body = (await response.json()) as EntraError;
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  expect(body.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
  return body;
}

describe("the consent prompt at /authorize", () => {
  it("asks for a permission the user has not granted, never for the admin-consented User.Read", async () => {
    const plain = await signInAs(authorizeUrl(emulator, {}), adele);
    expect(plain.consentPrompt).toBeUndefined();
    expect(callbackParams(plain.location).code).toBeTruthy();

    const { response } = await pickAccount({ scope: withMail }, adele);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain("<h1>Permissions requested</h1>");
    expect(html).toContain(`<code id="consent-client">${client().clientId}</code>`);
    expect(html).toContain("Adele Vance<small>AdeleV@contoso.example</small>");
    expect(html).toContain(
      '<li data-scope="Mail.Read">Read your mail<small>Mail.Read</small></li>',
    );
    expect(html).not.toContain('data-scope="User.Read"');
    expect(html).toContain(`action="${consentAction()}"`);
    expect(html).toContain(`name="${consentFields.decision}" value="${consentFields.accept}"`);
    expect(html).toContain(`name="${consentFields.decision}" value="${consentFields.cancel}"`);
  });

  it("accept → a code for tokens with the new scope; the next sign-in asks nothing", async () => {
    const first = await signInAs(authorizeUrl(emulator, { scope: withMail }), adele);
    expect(first.consentPrompt).toEqual(["Mail.Read"]);
    const params = callbackParams(first.location);
    expect(params.state).toBe("state-1");
    const tokens = (await (await redeem(first.location)).json()) as TokenResponse;
    expect(tokens.scope).toBe("openid profile User.Read Mail.Read email");
    expect(decodeJwt(tokens.access_token).scp).toBe("openid profile User.Read Mail.Read email");
    expect(emulator.consents.list()).toEqual<UserConsent[]>([
      {
        clientId: client().clientId,
        userOid: emulator.users[0]!.oid,
        userPrincipalName: adele,
        scopes: ["Mail.Read"],
      },
    ]);

    const again = await signInAs(authorizeUrl(emulator, { scope: withMail }), adele);
    expect(again.consentPrompt).toBeUndefined();
    expect(callbackParams(again.location).code).toBeTruthy();

    // Incremental: only what is new is asked for. And consent is per user.
    const more = await signInAs(
      authorizeUrl(emulator, { scope: `${withMail} Calendars.Read` }),
      adele,
    );
    expect(more.consentPrompt).toEqual(["Calendars.Read"]);
    const other = await signInAs(authorizeUrl(emulator, { scope: withMail }), alex);
    expect(other.consentPrompt).toEqual(["Mail.Read"]);
  });

  it("Cancel → access_denied AADSTS65004 with the state; nothing granted, still signed in", async () => {
    const declined = await signInAs(authorizeUrl(emulator, { scope: withMail }), adele, {
      consent: "decline",
    });
    expect(declined.consentPrompt).toEqual(["Mail.Read"]);
    const params = callbackParams(declined.location);
    expect(declined.location.startsWith(`${redirectUri}?`)).toBe(true);
    expect(params.error).toBe("access_denied");
    expect(params.error_description).toMatch(
      /^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /,
    );
    expect(params.state).toBe("state-1");
    expect(params.code).toBeUndefined();
    expect(emulator.consents.list()).toEqual([]);

    const silent = await signInAs(authorizeUrl(emulator, { prompt: "none" }), 0, {
      cookie: declined.cookie!,
    });
    expect(callbackParams(silent.location).code).toBeTruthy();
  });

  it("prompt=none without consent → consent_required AADSTS65001; with it → a code", async () => {
    const { cookie } = await signInAs(authorizeUrl(emulator, {}), adele);
    const silent = await fetch(authorizeUrl(emulator, { scope: withMail, prompt: "none" }), {
      redirect: "manual",
      headers: { cookie: cookie! },
    });
    const params = callbackParams(silent.headers.get("location")!);
    expect(params.error).toBe("consent_required");
    expect(params.error_description).toMatch(
      new RegExp(
        `^AADSTS65001: The user or administrator has not consented to use the application with ID '${client().clientId}'`,
      ),
    );
    expect(params.state).toBe("state-1");

    emulator.consents.grant(adele, ["Mail.Read"]);
    const granted = await signInAs(authorizeUrl(emulator, { scope: withMail, prompt: "none" }), 0, {
      cookie: cookie!,
    });
    expect(callbackParams(granted.location).code).toBeTruthy();
  });

  it("prompt=consent asks again for everything requested", async () => {
    emulator.consents.grant(adele, ["Mail.Read"]);
    const forced = await signInAs(
      authorizeUrl(emulator, { scope: withMail, prompt: "consent" }),
      adele,
    );
    expect(forced.consentPrompt).toEqual(["User.Read", "Mail.Read"]);
    expect(callbackParams(forced.location).code).toBeTruthy();
  });

  it("a pending consent is single use, bound to its browser, and cannot switch users", async () => {
    const { request, cookie } = await consentPrompt({ scope: withMail }, adele);

    // Another browser (no cookie, or another user's session) cannot answer it.
    const alexSession = (await signInAs(authorizeUrl(emulator, {}), alex)).cookie!;
    const { request: second, cookie: secondCookie } = await consentPrompt(
      { scope: withMail },
      adele,
    );
    const foreign = await answerConsent(
      { [consentFields.request]: second, [consentFields.decision]: consentFields.accept },
      alexSession,
    );
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain(
      "The consent request does not belong to this browser&#39;s sign-in session.",
    );
    // …and the attempt spent it.
    const late = await answerConsent(
      { [consentFields.request]: second, [consentFields.decision]: consentFields.accept },
      secondCookie,
    );
    expect(late.status).toBe(400);
    expect(await late.text()).toContain("AADSTS90015");

    // Extra fields naming another user or scopes are ignored: the record decides.
    const accepted = await answerConsent(
      {
        [consentFields.request]: request,
        [consentFields.decision]: consentFields.accept,
        [signInFields.user]: alex,
        scope: "Calendars.Read",
      },
      cookie,
    );
    expect(accepted.status).toBe(302);
    const tokens = (await (
      await redeem(accepted.headers.get("location")!)
    ).json()) as TokenResponse;
    expect(decodeJwt(tokens.id_token!).preferred_username).toBe(adele);
    expect(emulator.consents.list()).toMatchObject([
      { userPrincipalName: adele, scopes: ["Mail.Read"] },
    ]);

    const replay = await answerConsent(
      { [consentFields.request]: request, [consentFields.decision]: consentFields.accept },
      cookie,
    );
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain(
      "AADSTS90015: The consent request expired or was already used.",
    );
  });

  it("a pending consent expires like a sign-in transaction (60 minutes)", async () => {
    const { request, cookie } = await consentPrompt({ scope: withMail }, alex);
    now += 60 * 60_000 + 1;
    const response = await answerConsent(
      { [consentFields.request]: request, [consentFields.decision]: consentFields.accept },
      cookie,
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The consent request expired or was already used.");
    expect(emulator.consents.list()).toEqual([]);
  });
});

describe("consent at the token endpoint", () => {
  it("refresh after revocation → invalid_grant, suberror consent_required, AADSTS65001", async () => {
    const signIn = await signInAs(authorizeUrl(emulator, { scope: withMail }), adele);
    const tokens = (await (await redeem(signIn.location)).json()) as TokenResponse;
    expect((await refresh(tokens.refresh_token!, undefined)).status).toBe(200);

    emulator.consents.revoke(adele);
    // Without `scope`, the grant's own scopes (Mail.Read among them) are checked.
    const body = await expectEntraError(
      await refresh(tokens.refresh_token!, undefined),
      "invalid_grant",
      65001,
    );
    expect(body.suberror).toBe("consent_required");
    expect(body.error_description).toContain(
      `has not consented to use the application with ID '${client().clientId}'`,
    );
    // What the user still has (the admin-consented User.Read) keeps renewing.
    expect((await refresh(tokens.refresh_token!, "User.Read openid offline_access")).status).toBe(
      200,
    );
  });

  it("refresh asking for a permission never granted → consent_required", async () => {
    const signIn = await signInAs(authorizeUrl(emulator, {}), adele);
    const tokens = (await (await redeem(signIn.location)).json()) as TokenResponse;
    const body = await expectEntraError(
      await refresh(tokens.refresh_token!, "User.Read Calendars.Read openid offline_access"),
      "invalid_grant",
      65001,
    );
    expect(body.suberror).toBe("consent_required");
  });

  it("msal-node sees it as InteractionRequiredAuthError (invalid_grant / consent_required)", async () => {
    const cca = msalClient(emulator);
    const signIn = await beginSignIn(cca, ["User.Read", "Mail.Read"]);
    const params = callbackParams((await signInAs(signIn.url, adele)).location);
    const first = await cca.acquireTokenByCode({
      code: params.code!,
      scopes: signIn.scopes,
      redirectUri,
      codeVerifier: signIn.verifier,
      nonce: signIn.nonce,
    });
    expect(first.scopes).toEqual(expect.arrayContaining(["User.Read", "Mail.Read"]));
    const cache = JSON.parse(cca.getTokenCache().serialize()) as msal.JsonCache;
    const refreshToken = Object.values(cache.RefreshToken)[0]!.secret;

    emulator.consents.revoke(adele);
    const error = await cca
      .acquireTokenByRefreshToken({ refreshToken, scopes: ["User.Read", "Mail.Read"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(msal.InteractionRequiredAuthError);
    const interaction = error as msal.InteractionRequiredAuthError;
    expect(interaction.errorCode).toBe("invalid_grant");
    expect(interaction.subError).toBe("consent_required");
    expect(interaction.errorMessage).toMatch(/^AADSTS65001: /);

    const silent = await cca
      .acquireTokenSilent({ account: first.account!, scopes: ["Mail.Read"], forceRefresh: true })
      .catch((e: unknown) => e);
    expect(silent).toBeInstanceOf(msal.InteractionRequiredAuthError);
    expect((silent as msal.InteractionRequiredAuthError).subError).toBe("consent_required");
  });
});

describe("consent administration", () => {
  const admin = (method: string, body?: unknown, query = "") =>
    fetch(`${emulator.url}/_emulator/consents${query}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });

  it("grants, lists and revokes over HTTP", async () => {
    const granted = await admin("POST", {
      user: emulator.users[1]!.oid,
      scopes: ["https://graph.microsoft.com/Mail.Read", "calendars.read"],
    });
    expect(granted.status).toBe(201);
    const expected: UserConsent = {
      clientId: client().clientId,
      userOid: emulator.users[1]!.oid,
      userPrincipalName: alex,
      scopes: ["Mail.Read", "Calendars.Read"],
    };
    expect(await granted.json()).toEqual({ granted: expected });
    expect(await (await admin("GET", undefined, `?user=${alex}`)).json()).toEqual([expected]);
    expect(await (await admin("GET", undefined, `?user=${adele}`)).json()).toEqual([]);

    const silent = await signInAs(
      authorizeUrl(emulator, { scope: `${withMail} Calendars.Read` }),
      alex,
    );
    expect(silent.consentPrompt).toBeUndefined();

    expect((await admin("DELETE", { user: alex })).status).toBe(204);
    expect(await (await admin("GET")).json()).toEqual([]);
    emulator.consents.grant(alex, ["Mail.Read"]);
    expect(
      (await admin("DELETE", undefined, `?user=${alex}&clientId=${client().clientId}`)).status,
    ).toBe(204);
    expect(emulator.consents.list()).toEqual([]);
  });

  it("rejects bad input with 400 invalid_consent and a message saying what is wrong", async () => {
    const cases: [string, unknown, RegExp][] = [
      ["POST", { scopes: ["Mail.Read"] }, /^user must be a UPN or an object id \(oid\)$/],
      [
        "POST",
        { user: "nobody@contoso.example", scopes: ["Mail.Read"] },
        /^unknown user "nobody@contoso\.example"; the emulator has AdeleV@contoso\.example, AlexW@contoso\.example, /,
      ],
      ["POST", { user: adele }, /^scopes must be a non-empty array of Graph scope names$/],
      ["POST", { user: adele, scopes: [] }, /^scopes must be a non-empty array/],
      ["POST", { user: adele, scopes: "Mail.Read" }, /^scopes must be a non-empty array/],
      [
        "POST",
        { user: adele, scopes: ["Mail.Send"] },
        /^unknown Graph scope "Mail\.Send"; the emulator knows User\.Read, User\.ReadBasic\.All, Mail\.Read, /,
      ],
      ["POST", { user: adele, scopes: ["openid"] }, /^unknown Graph scope "openid"/],
      ["POST", { user: adele, scopes: ["Mail.Read Calendars.Read"] }, /^unknown Graph scope/],
      ["POST", { user: adele, scopes: [42] }, /^unknown Graph scope 42/],
      [
        "POST",
        { user: adele, scopes: ["Mail.Read"], clientId: "nope" },
        /^clientId must be a registered client: 00000000-0000-0000-0000-0000000b0ff1$/,
      ],
      ["POST", [adele], /^the body must be JSON/],
      ["DELETE", { clientId: client().clientId }, /^user must be a UPN/],
      ["DELETE", { user: "nobody" }, /^unknown user "nobody"/],
    ];
    for (const [method, body, message] of cases) {
      const response = await admin(method, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const answer = (await response.json()) as { code: string; message: string };
      expect(answer.code).toBe("invalid_consent");
      expect(answer.message).toMatch(message);
    }
    expect((await admin("GET", undefined, "?user=nobody")).status).toBe(400);
    expect(emulator.consents.list()).toEqual([]);
    expect(() => emulator.consents.grant(adele, ["Nope.Read"])).toThrow(TypeError);
  });

  it("is absent when the admin API is off", async () => {
    const closed = await createEmulator({ port: 0, adminApi: false });
    try {
      const response = await fetch(`${closed.url}/_emulator/consents`);
      expect(response.status).toBe(404);
    } finally {
      await closed.close();
    }
  });
});
