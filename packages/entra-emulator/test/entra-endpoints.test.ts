// Endpoints and answer shapes well-known clients read: the v2.0 and v1.0 metadata, userinfo,
// logout by GET or POST at either path, error_uri's page, request ids, malformed URLs,
// `consumers`, and the https pages mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, signInAs, signOut } from "../src/index.ts";
import {
  authorizeUrl,
  type EntraError,
  type GraphError,
  signInAndRedeem,
  tokenRequest,
} from "./helpers.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({ port: 0 });
});
afterAll(() => emulator?.close());

const json = async <T = Record<string, unknown>>(response: Response) =>
  (await response.json()) as T;

describe("metadata", () => {
  it("v2.0: userinfo, device code, every response mode and type Entra lists", async () => {
    const doc = await json(
      await fetch(`${emulator.authority}/v2.0/.well-known/openid-configuration`),
    );
    expect(doc).toMatchObject({
      userinfo_endpoint: `${emulator.url}/oidc/userinfo`,
      device_authorization_endpoint: `${emulator.authority}/oauth2/v2.0/devicecode`,
      response_modes_supported: ["query", "fragment", "form_post"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    });
  });

  it("v1.0 at /{tenant}/.well-known/openid-configuration: sts issuer, v1 paths, its keys", async () => {
    const doc = await json<Record<string, string>>(
      await fetch(`${emulator.authority}/.well-known/openid-configuration`),
    );
    expect(doc).toMatchObject({
      issuer: `https://sts.windows.net/${emulator.tenantId}/`,
      end_session_endpoint: `${emulator.browserUrl}/${emulator.tenantId}/oauth2/logout`,
      jwks_uri: `${emulator.authority}/discovery/keys`,
    });
    const { keys } = await json<{ keys: { issuer: string }[] }>(await fetch(doc.jwks_uri!));
    expect(keys[0]!.issuer).toBe(`https://sts.windows.net/${emulator.tenantId}/`);
  });

  it("https pages (httpsPages): the browser endpoints on https, the same port", async () => {
    const strict = await createEmulator({ port: 0, httpsPages: true });
    try {
      const doc = await json<Record<string, string>>(
        await fetch(`${strict.authority}/v2.0/.well-known/openid-configuration`),
      );
      expect(strict.browserUrl).toBe(strict.url);
      expect(doc.authorization_endpoint).toBe(`${strict.authority}/oauth2/v2.0/authorize`);
      expect(doc.end_session_endpoint).toBe(`${strict.authority}/oauth2/v2.0/logout`);
    } finally {
      await strict.close();
    }
  });

  it("consumers: metadata of the personal accounts tenant; these apps are not enabled there", async () => {
    const doc = await json(
      await fetch(`${emulator.url}/consumers/v2.0/.well-known/openid-configuration`),
    );
    expect(doc.issuer).toBe(`${emulator.url}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0`);
    const page = await fetch(authorizeUrl(emulator, {}, "consumers"));
    expect(page.status).toBe(400);
    expect(await page.text()).toContain(
      "AADSTS70002: The client does not exist or is not enabled for consumers",
    );
  });
});

describe("userinfo (hosted on Graph)", () => {
  it("answers the ID token's sub and the name claims; needs a delegated Graph token with openid", async () => {
    const tokens = await signInAndRedeem(emulator, signInAs);
    const info = await fetch(`${emulator.url}/oidc/userinfo`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await json(info)).toMatchObject({
      name: "Adele Vance",
      given_name: "Adele",
      family_name: "Vance",
      picture: `${emulator.graphBaseUrl}/me/photo/$value`,
    });
    const none = await fetch(`${emulator.url}/oidc/userinfo`);
    expect(none.status).toBe(401);
    expect((await json<GraphError>(none)).error.code).toBe("InvalidAuthenticationToken");
  });
});

describe("logout", () => {
  it("POST (a form) ends the session too, at the v2.0 and the v1.0 path", async () => {
    for (const path of ["oauth2/v2.0/logout", "oauth2/logout"]) {
      const { cookie } = await signInAs(authorizeUrl(emulator, {}), 0);
      const response = await fetch(`${emulator.browserUrl}/${emulator.tenantId}/${path}`, {
        method: "POST",
        headers: { cookie: cookie! },
        body: new URLSearchParams({ post_logout_redirect_uri: "http://localhost:3000/" }),
      });
      expect(await response.text()).toContain('<a id="continue" href="http://localhost:3000/">');
      const silent = await fetch(authorizeUrl(emulator, { prompt: "none" }), {
        redirect: "manual",
        headers: { cookie: cookie! },
      });
      expect(new URL(silent.headers.get("location")!).searchParams.get("error")).toBe(
        "login_required",
      );
      expect(
        (await signOut(`${emulator.browserUrl}/${emulator.tenantId}/${path}`)).redirect,
      ).toBeUndefined();
    }
  });
});

describe("errors", () => {
  it("x-ms-request-id on every answer, the trace id of an error; error_uri is a page", async () => {
    const response = await tokenRequest(emulator, { grant_type: "password" });
    const body = await json<EntraError & { error_uri: string }>(response);
    expect(response.headers.get("x-ms-request-id")).toBe(body.trace_id);
    const page = await fetch(body.error_uri);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`AADSTS${body.error_codes[0]}`);
  });

  it("a malformed percent-encoding: Graph's JSON under /v1.0, Entra's elsewhere", async () => {
    const graph = await fetch(`${emulator.graphBaseUrl}/users/%E0%A4%A`);
    expect(graph.status).toBe(400);
    const graphBody = await json<GraphError>(graph);
    expect(graphBody.error).toMatchObject({
      code: "BadRequest",
      message: "Bad Request - Invalid URL",
    });
    expect(graph.headers.get("request-id")).toBe(graphBody.error.innerError["request-id"]);
    const entra = await fetch(`${emulator.url}/%E0%A4%A/oauth2/v2.0/token`, { method: "POST" });
    expect(entra.status).toBe(400);
    expect(await json<EntraError>(entra)).toMatchObject({
      error: "invalid_request",
      error_codes: [90100],
    });
  });

  it("the v1.0 authorize and token endpoints say the emulator speaks v2.0", async () => {
    const token = await fetch(`${emulator.authority}/oauth2/token`, { method: "POST" });
    expect((await json<EntraError>(token)).error_description).toMatch(/v2\.0 token endpoint only/);
  });
});
