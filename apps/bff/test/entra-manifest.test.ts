// `pnpm entra:manifest`: the registration it prints is the one this configuration needs.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { paths } from "@entra-bff/contract";
import { createClientCertificate, createEmulator } from "@entra-bff/entra-emulator";
import { afterAll, describe, expect, it } from "vitest";
import {
  azCommands,
  buildManifest,
  graphAppId,
  graphDelegatedPermissionIds,
} from "../../../scripts/entra-manifest.ts";
import { resourceOf } from "../src/downstream/declarations.ts";
import { credentialFolder } from "./credentials/stack.ts";
import { CookieJar, signIn, startBff } from "./helpers/bff.ts";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const env = {
  ENTRA_AUTHORITY: "https://login.microsoftonline.com/organizations",
  PUBLIC_ORIGIN: "https://app.contoso.example",
  SCOPES: "User.Read",
  INCREMENTAL_SCOPES: "Calendars.Read Mail.Read",
  DOWNSTREAM_APIS_FILE: join(repo, "config/downstream-apis.json"),
  ENTRA_CLIENT_SECRET: "dev-only-manifest-secret",
};
const folder = credentialFolder();
afterAll(() => folder.remove());

describe("pnpm entra:manifest", () => {
  it("registers every redirect, claim, permission and role the configuration needs", () => {
    const { bff, tasksApi, config } = buildManifest(env);
    expect(bff.signInAudience).toBe("AzureADMultipleOrgs");
    expect(bff.web!.redirectUris).toEqual([
      config.redirectUri,
      `${config.publicOrigin}${paths.adminConsentCallback}`,
    ]);
    expect(bff.web!.logoutUrl).toBe(`${config.publicOrigin}${paths.frontchannelLogout}`);
    expect(bff.web!.implicitGrantSettings).toEqual({
      enableIdTokenIssuance: false,
      enableAccessTokenIssuance: false,
    });
    expect(bff.optionalClaims!.idToken.map((c) => c.name).sort()).toEqual(["login_hint", "sid"]);

    // Every scope a session may ask for is a configured permission of its resource.
    const granted = new Map(
      bff.requiredResourceAccess!.map((r) => [r.resourceAppId, r.resourceAccess.map((a) => a.id)]),
    );
    const wanted = [
      ...config.scopes,
      ...config.incrementalScopes,
      ...config.downstreamApis.flatMap((api) => api.scopes),
    ];
    expect(wanted).toEqual(expect.arrayContaining(["User.ReadBasic.All", "Calendars.Read"]));
    for (const scope of wanted) {
      if (resourceOf(scope) === "https://graph.microsoft.com") {
        expect(granted.get(graphAppId)).toContain(graphDelegatedPermissionIds[scope]);
      } else {
        expect(resourceOf(scope)).toBe(tasksApi!.applicationIdUri);
        const exposed = tasksApi!.application.api!.oauth2PermissionScopes.find(
          (s) => s.value === scope.split("/").at(-1),
        );
        expect(exposed).toBeDefined();
        expect(granted.get(tasksApi!.clientId)).toEqual([exposed!.id]);
      }
    }
    // The roles the BFF checks are app roles of its own registration (the ID token's).
    const roles = config.downstreamApis.flatMap((api) => api.roles ?? []);
    expect(roles).toContain("Tasks.Admin");
    expect(bff.appRoles!.map((r) => r.value)).toEqual([...new Set(roles)]);
    expect(tasksApi!.application).toMatchObject({
      identifierUris: [tasksApi!.applicationIdUri],
      api: { requestedAccessTokenVersion: 2 },
      appRoles: [{ value: "Tasks.Admin", allowedMemberTypes: ["User"] }],
    });
    // Stable ids: printing it again changes nothing.
    expect(buildManifest(env).bff).toEqual(bff);
  });

  it("prints no secret, and an az script bash accepts", () => {
    const manifest = buildManifest(env);
    const script = azCommands(manifest, env);
    const { config: _config, ...document } = manifest;
    expect(JSON.stringify(document)).not.toContain(env.ENTRA_CLIENT_SECRET);
    expect(script).not.toContain(env.ENTRA_CLIENT_SECRET);
    expect(script).toContain('az rest --method POST --uri "$graph/applications"');
    expect(script).toContain("az ad app credential reset");
    const file = folder.path("register.sh");
    writeFileSync(file, script);
    execFileSync("bash", ["-n", file]);
  });

  it("adds the certificate, or the federated trust, of the configured credential", async () => {
    const certificate = await createClientCertificate();
    const pem = folder.path("bff.pem");
    writeFileSync(pem, certificate.pem);
    const withCertificate = buildManifest({
      ...env,
      ENTRA_CLIENT_SECRET: undefined,
      ENTRA_CLIENT_CERTIFICATE: pem,
    });
    expect(withCertificate.bff.keyCredentials).toEqual([
      expect.objectContaining({ type: "AsymmetricX509Cert", usage: "Verify" }),
    ]);
    expect(JSON.stringify(withCertificate.bff)).not.toContain("PRIVATE KEY");

    const token = folder.path("token");
    const claims = {
      iss: "https://oidc.prod-aks.azure.com/x/",
      sub: "system:serviceaccount:prod:bff",
    };
    writeFileSync(token, `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`);
    const federated = buildManifest({
      ...env,
      ENTRA_CLIENT_SECRET: undefined,
      ENTRA_CLIENT_ASSERTION_FILE: token,
    });
    expect(federated.federatedIdentityCredentials).toEqual([
      expect.objectContaining({
        issuer: claims.iss,
        subject: claims.sub,
        audiences: ["api://AzureADTokenExchange"],
      }),
    ]);
    expect(azCommands(federated, env)).toContain("az ad app federated-credential create");
  });

  it("refuses a configuration the BFF would refuse", () => {
    expect(() => buildManifest({ ...env, PUBLIC_ORIGIN: "http://app.contoso.example" })).toThrow(
      /PUBLIC_ORIGIN must be https/,
    );
  });

  it("is enough to sign in: a registration built from it works with the BFF", async () => {
    const local = { ...env, PUBLIC_ORIGIN: "http://localhost:3000" };
    const { bff: application } = buildManifest(local);
    const clientId = "00000000-0000-0000-0000-00000000ma01";
    const emulator = await createEmulator({
      port: 0,
      clients: [
        {
          clientId,
          clientSecret: env.ENTRA_CLIENT_SECRET,
          redirectUris: application.web!.redirectUris,
          frontchannelLogoutUri: application.web!.logoutUrl,
          appRoles: application.appRoles!.map(({ value, description }) => ({ value, description })),
        },
      ],
    });
    try {
      const bff = await startBff(emulator, {
        ...local,
        ENTRA_CLIENT_ID: clientId,
        ENTRA_AUTHORITY: emulator.authority,
      });
      try {
        const callback = await signIn(bff, new CookieJar(), 0);
        expect(callback.headers.location).toBe("http://localhost:3000/");
      } finally {
        await bff.close();
      }
    } finally {
      await emulator.close();
    }
  }, 30_000);
});
