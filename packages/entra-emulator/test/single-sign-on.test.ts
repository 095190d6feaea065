// Entra's single sign-on: with a session, /authorize signs its one user in without the
// account picker, unless prompt=select_account or prompt=login, or a login_hint names
// someone else.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientRegistration, createEmulator, type Emulator, signInAs } from "../src/index.ts";
import { authorizeUrl, pkce, redirectUri, type TokenResponse, tokenRequest } from "./helpers.ts";

let now = Date.now();
const app: ClientRegistration = {
  clientId: "00000000-0000-0000-0000-00000000a101",
  clientSecret: "dev-only-sso-secret",
  redirectUris: [redirectUri],
  optionalClaims: { idToken: [{ name: "login_hint" }, { name: "auth_time" }] },
};
let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({ port: 0, now: () => now, clients: [app] });
});
afterAll(() => emulator?.close());

const adele = "AdeleV@contoso.example";
const alex = "AlexW@contoso.example";

async function idToken(location: string) {
  const response = await tokenRequest(emulator, {
    grant_type: "authorization_code",
    code: new URL(location).searchParams.get("code")!,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
    client_id: app.clientId,
    client_secret: app.clientSecret,
  });
  return decodeJwt(((await response.json()) as TokenResponse).id_token!);
}

/** The browser comes back with its session cookie: a redirect (SSO) or a page. */
function visit(params: Record<string, string | undefined>, cookie: string) {
  return fetch(authorizeUrl(emulator, params), { redirect: "manual", headers: { cookie } });
}

describe("single sign-on", () => {
  it("signs the session's user in without the picker, keeping auth_time", async () => {
    const first = await signInAs(authorizeUrl(emulator, {}), adele);
    const signedInAt = (await idToken(first.location)).auth_time;
    now += 60_000;
    const again = await visit({}, first.cookie!);
    expect(again.status).toBe(302);
    const claims = await idToken(again.headers.get("location")!);
    expect(claims.preferred_username).toBe(adele);
    expect(claims.auth_time).toBe(signedInAt);
    expect(claims.sid).toBe(new URL(first.location).searchParams.get("session_state"));
  });

  it("prompt=select_account shows the picker; prompt=login signs in afresh (a new auth_time)", async () => {
    const first = await signInAs(authorizeUrl(emulator, {}), adele);
    const before = (await idToken(first.location)).auth_time as number;
    const picker = await visit({ prompt: "select_account" }, first.cookie!);
    expect(picker.status).toBe(200);
    expect(await picker.text()).toContain('name="transaction"');
    now += 120_000;
    const fresh = await signInAs(authorizeUrl(emulator, { prompt: "login" }), adele, {
      cookie: first.cookie!,
    });
    expect((await idToken(fresh.location)).auth_time).toBe(before + 120);
  });

  it("a login_hint naming another user shows the picker with that user pre-selected", async () => {
    const first = await signInAs(authorizeUrl(emulator, {}), adele);
    const hinted = await visit({ login_hint: alex }, first.cookie!);
    expect(hinted.status).toBe(200);
    expect(await hinted.text()).toContain(`value="${alex}" autofocus data-login-hint`);
    // The login_hint claim works as a hint as well (it names the user by oid).
    const claim = (await idToken((await signInAs(authorizeUrl(emulator, {}), alex)).location))
      .login_hint as string;
    const byClaim = await visit({ login_hint: claim }, first.cookie!);
    expect(byClaim.status).toBe(200);
    const same = await visit({ login_hint: adele }, first.cookie!);
    expect(same.status).toBe(302);
  });

  it("prompt=none: login_required when the hint names someone not signed in", async () => {
    const first = await signInAs(authorizeUrl(emulator, {}), adele);
    const silent = await visit({ prompt: "none", login_hint: alex }, first.cookie!);
    expect(new URL(silent.headers.get("location")!).searchParams.get("error")).toBe(
      "login_required",
    );
  });

  it("signInAs with a cookie follows the single sign-on", async () => {
    const first = await signInAs(authorizeUrl(emulator, {}), adele);
    const { location } = await signInAs(authorizeUrl(emulator, {}), alex, {
      cookie: first.cookie!,
    });
    expect((await idToken(location)).preferred_username).toBe(adele);
  });
});
