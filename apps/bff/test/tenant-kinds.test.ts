// Each kind of tenant's settings, issuer and ID token rules, checked directly: ENTRA_TENANT_KIND
// and the authority shapes (config), issuerProblem (metadata) and the ID token validator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { createIdTokenValidator, type IdTokenError } from "../src/id-token.ts";
import { issuerProblem, issuerTenant } from "../src/idp-metadata.ts";
import {
  createSigningKey,
  type JwksServer,
  type SigningKey,
  signIdToken,
  startJwksServer,
} from "./helpers/jwks-server.ts";

const tid = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
const other = "99999999-9999-4999-8999-999999999999";
const base = {
  ENTRA_CLIENT_ID: "00000000-0000-0000-0000-0000000b0ff1",
  ENTRA_CLIENT_SECRET: "dev-only-test-secret",
  PUBLIC_ORIGIN: "https://app.contoso.com",
  SESSION_KEYS: Buffer.alloc(32, 1).toString("base64"),
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("ENTRA_TENANT_KIND and the authority shapes", () => {
  it("defaults to workforce, and infers External ID and B2C from their hosts", () => {
    expect(
      loadConfig({ ...base, ENTRA_AUTHORITY: `https://login.microsoftonline.com/${tid}` }),
    ).toMatchObject({
      tenantKind: "workforce",
      userFlows: undefined,
      scopes: ["User.Read"],
    });
    expect(
      loadConfig({
        ...base,
        ENTRA_AUTHORITY: "https://contoso.ciamlogin.com/contoso.onmicrosoft.com",
      }),
    ).toMatchObject({
      tenantKind: "external",
      authority: "https://contoso.ciamlogin.com/contoso.onmicrosoft.com",
      authorityHost: "contoso.ciamlogin.com",
      scopes: ["User.Read"],
    });
    const b2c = loadConfig({
      ...base,
      ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi",
      B2C_PROFILE_EDIT_POLICY: "B2C_1_profile_edit",
      B2C_PASSWORD_RESET_POLICY: "B2C_1_password_reset",
    });
    expect(b2c).toMatchObject({
      tenantKind: "b2c",
      authority: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi",
      authorityHost: "contoso.b2clogin.com",
      // B2C gives its users no Graph token: no scopes unless the app names its API's.
      scopes: [],
      userFlows: {
        signUpSignIn: {
          policy: "B2C_1_susi",
          authority: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi",
        },
        profileEdit: {
          policy: "B2C_1_profile_edit",
          authority: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_profile_edit",
        },
        passwordReset: {
          policy: "B2C_1_password_reset",
          authority: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_password_reset",
        },
      },
    });
  });

  it("accepts each kind's other documented shapes", () => {
    // MSAL's shortcut for External ID, and a custom URL domain named with the tenant id.
    expect(
      loadConfig({ ...base, ENTRA_AUTHORITY: "https://contoso.ciamlogin.com" }).authority,
    ).toBe("https://contoso.ciamlogin.com/contoso.onmicrosoft.com");
    expect(
      loadConfig({
        ...base,
        ENTRA_TENANT_KIND: "external",
        ENTRA_AUTHORITY: `https://login.contoso.com/${tid}/v2.0`,
      }),
    ).toMatchObject({ tenantKind: "external", authority: `https://login.contoso.com/${tid}` });
    // B2C with the user flow in its own setting, and B2C on a custom domain.
    expect(
      loadConfig({
        ...base,
        ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com",
        B2C_SIGNUP_SIGNIN_POLICY: "B2C_1A_signup_signin",
        SCOPES: "https://contoso.onmicrosoft.com/api/read",
      }),
    ).toMatchObject({
      authority: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1A_signup_signin",
      scopes: ["https://contoso.onmicrosoft.com/api/read"],
    });
    expect(
      loadConfig({
        ...base,
        ENTRA_TENANT_KIND: "B2C",
        ENTRA_AUTHORITY: `https://login.contoso.com/${tid}/B2C_1_susi`,
      }).tenantKind,
    ).toBe("b2c");
  });

  it.each([
    [
      {
        ENTRA_AUTHORITY: `https://login.microsoftonline.com/${tid}`,
        ENTRA_TENANT_KIND: "customer",
      },
      "ENTRA_TENANT_KIND must be one of workforce, external, b2c",
    ],
    [
      {
        ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi",
        ENTRA_TENANT_KIND: "external",
      },
      "is an Azure AD B2C host, but ENTRA_TENANT_KIND is external",
    ],
    [
      {
        ENTRA_AUTHORITY: "https://contoso.ciamlogin.com/contoso.onmicrosoft.com",
        ENTRA_TENANT_KIND: "workforce",
      },
      "is an Entra External ID host",
    ],
    [
      { ENTRA_AUTHORITY: "https://login.microsoftonline.com/contoso.onmicrosoft.com/B2C_1_susi" },
      "which needs ENTRA_TENANT_KIND=b2c",
    ],
    [
      { ENTRA_AUTHORITY: "https://contoso.ciamlogin.com/organizations" },
      "an External ID tenant is one tenant",
    ],
    [
      {
        ENTRA_AUTHORITY: "https://login.contoso.com/contoso.onmicrosoft.com",
        ENTRA_TENANT_KIND: "external",
      },
      "name the tenant by its id",
    ],
    [
      { ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com" },
      "B2C_SIGNUP_SIGNIN_POLICY is required",
    ],
    [
      {
        ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi",
        B2C_SIGNUP_SIGNIN_POLICY: "B2C_1_other",
      },
      "names the user flow B2C_1_susi, but B2C_SIGNUP_SIGNIN_POLICY is B2C_1_other",
    ],
    [
      { ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/signin" },
      "must be a B2C user flow or custom policy name",
    ],
    [
      {
        ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi",
        B2C_PROFILE_EDIT_POLICY: "b2c_1_SUSI",
      },
      "must be different policies",
    ],
    [
      {
        ENTRA_AUTHORITY: `https://login.microsoftonline.com/${tid}`,
        B2C_PROFILE_EDIT_POLICY: "B2C_1_edit",
      },
      "user flow policies exist only in Azure AD B2C",
    ],
    [
      {
        ENTRA_AUTHORITY: "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi",
        SCOPES: "User.Read",
      },
      "which Azure AD B2C gives its users no token for",
    ],
  ])("refuses %j", (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });
});

describe("issuerProblem: each kind's issuer, and no other", () => {
  const workforce = `https://login.microsoftonline.com/${tid}`;
  const external = "https://contoso.ciamlogin.com/contoso.onmicrosoft.com";
  const customDomain = `https://login.contoso.com/${tid}`;
  const b2c = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_susi";
  const issuers = {
    workforce: `https://login.microsoftonline.com/${tid}/v2.0`,
    external: `https://${tid}.ciamlogin.com/${tid}/v2.0`,
    b2c: `https://contoso.b2clogin.com/${tid}/v2.0/`,
    b2cTfp: `https://contoso.b2clogin.com/tfp/${tid}/b2c_1_susi/v2.0/`,
  };

  it("accepts each kind's own", () => {
    expect(issuerProblem(workforce, issuers.workforce)).toBeUndefined();
    expect(issuerProblem(external, issuers.external, "external")).toBeUndefined();
    // A custom URL domain changes the host the app signs in at, not the issuer.
    expect(issuerProblem(customDomain, issuers.external, "external")).toBeUndefined();
    expect(issuerProblem(b2c, issuers.b2c, "b2c", "B2C_1_susi")).toBeUndefined();
    expect(issuerProblem(b2c, issuers.b2cTfp, "b2c", "B2C_1_susi")).toBeUndefined();
  });

  it("refuses every other kind's, another tenant's and another user flow's", () => {
    expect(
      issuerProblem(
        workforce,
        issuers.b2c.replace("contoso.b2clogin.com", "login.microsoftonline.com"),
      ),
    ).toContain("for an Entra ID tenant");
    expect(issuerProblem(workforce, issuers.external)).toBeDefined();
    expect(issuerProblem(external, issuers.workforce, "external")).toContain(
      "for an External ID tenant",
    );
    expect(issuerProblem(external, issuers.b2c, "external")).toBeDefined();
    expect(
      issuerProblem(customDomain, `https://${other}.ciamlogin.com/${other}/v2.0`, "external"),
    ).toBeDefined();
    // The host and path must name the same tenant.
    expect(
      issuerProblem(external, `https://${tid}.ciamlogin.com/${other}/v2.0`, "external"),
    ).toBeDefined();
    expect(
      issuerProblem(b2c, `https://contoso.b2clogin.com/${tid}/v2.0`, "b2c", "B2C_1_susi"),
    ).toContain("for an Azure AD B2C tenant");
    expect(
      issuerProblem(b2c, `https://fabrikam.b2clogin.com/${tid}/v2.0/`, "b2c", "B2C_1_susi"),
    ).toBeDefined();
    expect(
      issuerProblem(
        b2c,
        `https://contoso.b2clogin.com/tfp/${tid}/b2c_1_edit/v2.0/`,
        "b2c",
        "B2C_1_susi",
      ),
    ).toBeDefined();
    expect(issuerProblem(b2c, issuers.external, "b2c", "B2C_1_susi")).toBeDefined();
  });

  it("reads the tenant from each kind's issuer", () => {
    expect(issuerTenant(issuers.b2c, "b2c")).toBe(tid);
    expect(issuerTenant(issuers.b2cTfp, "b2c")).toBe(tid);
    expect(issuerTenant(issuers.external, "external")).toBe(tid);
    expect(issuerTenant(issuers.workforce, "workforce")).toBe(tid);
  });
});

describe("the ID token validator of a B2C user flow", () => {
  let server: JwksServer;
  let key: SigningKey;
  const issuer = `https://contoso.b2clogin.com/${tid}/v2.0/`;
  const clientId = base.ENTRA_CLIENT_ID;
  const oid = "11111111-2222-4333-8444-555555555555";
  const nowMs = Date.UTC(2030, 0, 1, 12);
  const nowS = nowMs / 1000;
  beforeAll(async () => {
    key = await createSigningKey("b2c-1");
    server = await startJwksServer([key]);
  });
  afterAll(() => server.close());

  const validate = (kind: "b2c" | "workforce" = "b2c") =>
    createIdTokenValidator({
      issuer: kind === "b2c" ? issuer : `https://login.microsoftonline.com/${tid}/v2.0`,
      jwksUri: server.url,
      clientId,
      timeoutMs: 2000,
      now: () => nowMs,
      tenantKind: kind,
      ...(kind === "b2c" ? { policy: "B2C_1_susi" } : {}),
    });
  const b2cClaims = (overrides: Record<string, unknown> = {}) => ({
    exp: nowS + 3600,
    nbf: nowS - 5,
    ver: "1.0",
    iss: issuer,
    sub: oid,
    aud: clientId,
    iat: nowS - 5,
    oid,
    name: "Avery Brooks",
    emails: ["avery.brooks@example.com"],
    tfp: "b2c_1_susi",
    ...overrides,
  });
  const refusal = async (token: string, validator = validate()) =>
    (await validator(token, undefined).then(
      () => undefined,
      (error: unknown) => error,
    )) as IdTokenError | undefined;

  it("takes the tenant from the issuer and the object id from oid, else from sub", async () => {
    const claims = await validate()(await signIdToken(key, b2cClaims()), undefined);
    expect(claims).toMatchObject({ tid, oid, sub: oid, policy: "B2C_1_susi" });
    const { oid: _oid, ...withoutOid } = b2cClaims();
    expect(await validate()(await signIdToken(key, withoutOid), undefined)).toMatchObject({ oid });
    // The older "policy ID in acr" setting.
    const { tfp: _tfp, ...acr } = b2cClaims();
    expect(
      await validate()(await signIdToken(key, { ...acr, acr: "B2C_1_SUSI" }), undefined),
    ).toMatchObject({ policy: "B2C_1_susi" });
  });

  it.each([
    [{ tfp: "b2c_1_profile_edit" }, 'of user flow "b2c_1_profile_edit", not "B2C_1_susi"'],
    [{ tfp: undefined }, "names no user flow"],
    [{ tid: other }, "but the issuer names tenant"],
    [{ oid: undefined, sub: "Not supported currently. Use oid claim." }, "names no object id"],
    [{ iss: `https://login.microsoftonline.com/${tid}/v2.0` }, "`iss` is"],
    [{ aud: "another-app" }, "claim `aud` failed validation"],
  ])("refuses %j", async (overrides, message) => {
    const claims: Record<string, unknown> = b2cClaims(overrides);
    for (const [name, value] of Object.entries(overrides))
      if (value === undefined) delete claims[name];
    expect((await refusal(await signIdToken(key, claims)))?.message).toContain(message);
  });

  it("a workforce validator refuses a B2C token: no tid, another issuer", async () => {
    const error = await refusal(await signIdToken(key, b2cClaims()), validate("workforce"));
    expect(error?.message).toContain("claim `tid` failed validation");
  });
});
