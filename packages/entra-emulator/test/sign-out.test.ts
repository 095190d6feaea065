import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, signInAs, signOut } from "../src/index.ts";
import { authorizeUrl, pkce, redirectUri, type TokenResponse, tokenRequest } from "./helpers.ts";

let emulator: Emulator;
const frontchannelLogoutUri = "http://localhost:3000/auth/frontchannel-logout";

beforeEach(async () => {
  emulator = await createEmulator({
    port: 0,
    clients: [
      {
        clientId: "00000000-0000-0000-0000-0000000b0ff1",
        clientSecret: "dev-only-emulator-secret",
        redirectUris: [redirectUri],
        frontchannelLogoutUri,
      },
    ],
  });
});
afterEach(() => emulator.close());

async function endSessionEndpoint() {
  const metadata = (await (
    await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`)
  ).json()) as { end_session_endpoint: string };
  return metadata.end_session_endpoint;
}

describe("signOut", () => {
  it("returns the front-channel logout URL with the session's sid, the ID token's sid claim", async () => {
    const signIn = await signInAs(authorizeUrl(emulator, {}), 0);
    const client = emulator.clients[0]!;
    const response = await tokenRequest(emulator, {
      grant_type: "authorization_code",
      code: new URL(signIn.location).searchParams.get("code")!,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    const tokens = (await response.json()) as TokenResponse;
    const sid = decodeJwt(tokens.id_token!).sid as string;
    expect(sid).toBe(new URL(signIn.location).searchParams.get("session_state"));

    const logout = new URL(await endSessionEndpoint());
    logout.searchParams.set("post_logout_redirect_uri", "http://localhost:3000/");
    logout.searchParams.set("state", "s&1");
    const result = await signOut(logout.href, { cookie: signIn.cookie! });
    expect(result).toEqual({
      frontchannelUris: [`${frontchannelLogoutUri}?sid=${encodeURIComponent(sid)}`],
      redirect: "http://localhost:3000/?state=s%261",
    });
    // Entra adds only `sid` to the app's URL.
    expect([...new URL(result.frontchannelUris[0]!).searchParams.keys()]).toEqual(["sid"]);

    // The session is over: signing out again notifies nobody.
    expect(await signOut(logout.href, { cookie: signIn.cookie! })).toEqual({
      frontchannelUris: [],
      redirect: "http://localhost:3000/?state=s%261",
    });
  });

  it("without a session or an allowed redirect: no iframes, no continue link", async () => {
    expect(await signOut(await endSessionEndpoint())).toEqual({
      frontchannelUris: [],
      redirect: undefined,
    });
  });

  it("throws with the status when the URL is not a sign-out page", async () => {
    await expect(signOut(`${emulator.browserUrl}/nowhere`)).rejects.toThrow(
      /^the emulator refused the sign-out \(404\)/,
    );
  });
});
