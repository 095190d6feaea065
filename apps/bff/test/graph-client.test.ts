import { describe, expect, it } from "vitest";
import { claimsChallenge } from "../src/graph-client.ts";

const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
const encoded = Buffer.from(claims).toString("base64");

describe("claimsChallenge", () => {
  it("decodes the claims of an insufficient_claims challenge", () => {
    const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${encoded}"`;
    expect(claimsChallenge(header)).toBe(claims);
  });

  it.each([
    [null],
    ['Bearer error="invalid_token"'],
    [`Bearer error="invalid_token", claims="${encoded}"`],
    ['Bearer error="insufficient_claims"'],
    ['Bearer error="insufficient_claims", claims="bm90IGpzb24="'],
  ])("ignores %j", (header) => {
    expect(claimsChallenge(header)).toBeUndefined();
  });
});
