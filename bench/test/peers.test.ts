import { describe, expect, it } from "vitest";
import { openidConnectIssuerBaseUrl } from "../peers/openid-connect-issuer.ts";
import { sessionFromClaims } from "../peers/session-body.ts";

describe("sessionFromClaims", () => {
  const claims = {
    name: "Adele Vance",
    preferred_username: "AdeleV@contoso.example",
    oid: "00000000-0000-0000-0000-000000000001",
    tid: "00000000-0000-0000-0000-0000000000aa",
    aud: "client",
  };

  it("answers what the BFF's GET /auth/session answers, from the ID token's claims", () => {
    expect(sessionFromClaims(claims)).toEqual({
      authenticated: true,
      user: {
        name: "Adele Vance",
        username: "AdeleV@contoso.example",
        oid: "00000000-0000-0000-0000-000000000001",
        tenantId: "00000000-0000-0000-0000-0000000000aa",
      },
    });
  });

  it("is not signed in without the claims that name the user", () => {
    expect(sessionFromClaims(undefined)).toEqual({ authenticated: false });
    expect(sessionFromClaims({ ...claims, oid: "" })).toEqual({ authenticated: false });
    expect(sessionFromClaims({ ...claims, tid: 42 })).toEqual({ authenticated: false });
  });
});

describe("openidConnectIssuerBaseUrl", () => {
  const discovery = "http://localhost:1/tenant/v2.0/.well-known/openid-configuration";

  it("is the discovery document's http URL while the authorization endpoint is http", () => {
    const metadata = {
      issuer: "https://localhost:1/tenant/v2.0",
      authorization_endpoint: "http://localhost:1/tenant/oauth2/v2.0/authorize",
    };
    expect(openidConnectIssuerBaseUrl(metadata, discovery)).toBe(discovery);
  });

  it("is the issuer, as the library's README configures it, once the pages are https", () => {
    const metadata = {
      issuer: "https://localhost:1/tenant/v2.0",
      authorization_endpoint: "https://localhost:1/tenant/oauth2/v2.0/authorize",
    };
    expect(openidConnectIssuerBaseUrl(metadata, discovery)).toBe("https://localhost:1/tenant/v2.0");
  });
});
