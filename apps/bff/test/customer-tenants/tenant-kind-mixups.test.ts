// The issuer of one kind of tenant is refused by a BFF configured for another: workforce
// Entra ID, Entra External ID and Azure AD B2C each publish their own issuer shape, and a
// document (or token) of another shape keeps the BFF unready (or signs nobody in).
import { createEmulator, type Emulator, type TenantKind } from "@entra-bff/entra-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bffTestEmulator,
  CookieJar,
  json,
  signIn,
  startBff,
  type TestBff,
} from "../helpers/bff.ts";

const kinds: TenantKind[] = ["workforce", "external", "b2c"];
const emulators = new Map<TenantKind, Emulator>();

beforeAll(async () => {
  for (const kind of kinds) {
    emulators.set(kind, await createEmulator({ ...bffTestEmulator, tenantKind: kind }));
  }
});
afterAll(async () => {
  for (const emulator of emulators.values()) await emulator.close();
});

const emulator = (kind: TenantKind) => emulators.get(kind)!;

/** What each kind's discovery document names as issuer, for the same tenant on `base`. */
function issuerOf(kind: TenantKind, base: Emulator): string {
  const tid = base.tenantId;
  switch (kind) {
    case "workforce":
      return `${base.url}/${tid}/v2.0`;
    case "external":
      return `https://${tid}.ciamlogin.com/${tid}/v2.0`;
    case "b2c":
      return `${base.url}/${tid}/v2.0/`;
  }
}

const envFor = (kind: TenantKind) => (kind === "workforce" ? {} : { ENTRA_TENANT_KIND: kind });

/** Starts a BFF whose metadata download has run once (retries far later); its reason. */
async function firstAttempt(bff: TestBff): Promise<string> {
  const deadline = performance.now() + 10_000;
  while (bff.app.idp.lastError === "not loaded yet" && !bff.app.idp.loaded) {
    if (performance.now() > deadline) throw new Error("the metadata download never finished");
    await new Promise((resolve) => setImmediate(resolve));
  }
  const ready = await bff.request(undefined, { url: "/readyz" });
  return ready.statusCode === 200 ? "ready" : json<{ reason: string }>(ready).reason;
}

describe("each kind's own issuer is accepted by a BFF of that kind", () => {
  it.each(kinds)("%s: ready, and signs in", async (kind) => {
    const bff = await startBff(emulator(kind), envFor(kind));
    try {
      expect(bff.config.tenantKind).toBe(kind);
      expect((await bff.app.idp.whenLoaded()).issuer).toBe(issuerOf(kind, emulator(kind)));
      expect((await signIn(bff, new CookieJar(), 0)).headers.location).toBe(
        "http://localhost:3000/",
      );
    } finally {
      await bff.close();
    }
  });
});

describe("another kind's issuer keeps the BFF unready, naming the issuer it expected", () => {
  const mixups = kinds.flatMap((configured) =>
    kinds.filter((served) => served !== configured).map((served) => [configured, served] as const),
  );

  it.each(mixups)("configured %s, served a %s issuer", async (configured, served) => {
    const target = emulator(configured);
    target.faults.add({ target: "discovery", kind: "issuer", issuer: issuerOf(served, target) });
    const bff = await startBff(target, envFor(configured), {
      waitForMetadata: false,
      idpRetryDelayMs: 600_000,
    });
    try {
      const reason = await firstAttempt(bff);
      expect(reason).toContain(`is not the one ENTRA_AUTHORITY implies`);
      expect(reason).toContain(issuerOf(served, target));
      const login = await bff.request(new CookieJar(), { url: "/auth/login" });
      expect(login.headers.location).toBe("http://localhost:3000/?authError=idp_unavailable");
    } finally {
      target.faults.clear();
      await bff.close();
    }
  });

  it("a workforce BFF pointed at an External ID tenant refuses its real document", async () => {
    const bff = await startBff(
      emulator("external"),
      {},
      {
        waitForMetadata: false,
        idpRetryDelayMs: 600_000,
      },
    );
    try {
      expect(bff.config.tenantKind).toBe("workforce");
      expect(await firstAttempt(bff)).toContain(issuerOf("external", emulator("external")));
    } finally {
      await bff.close();
    }
  });

  it("an External ID BFF pointed at a workforce tenant refuses its real document", async () => {
    const bff = await startBff(emulator("workforce"), envFor("external"), {
      waitForMetadata: false,
      idpRetryDelayMs: 600_000,
    });
    try {
      expect(await firstAttempt(bff)).toContain(
        `https://${emulator("workforce").tenantId}.ciamlogin.com/`,
      );
    } finally {
      await bff.close();
    }
  });
});

describe("a token of another kind is refused at sign-in", () => {
  it("a B2C BFF refuses a token without a user flow, or with a workforce issuer", async () => {
    const b2c = emulator("b2c");
    const bff = await startBff(b2c, envFor("b2c"));
    try {
      const changes: Array<{ set?: Record<string, unknown>; remove?: string[] }> = [
        { set: { iss: issuerOf("workforce", b2c) } },
        { set: { iss: issuerOf("external", b2c) } },
        // A workforce token names no user flow.
        { remove: ["tfp"], set: { tid: b2c.tenantId, ver: "2.0" } },
      ];
      for (const change of changes) {
        b2c.faults.add({
          target: "token",
          kind: "id_token_claims",
          grantType: "authorization_code",
          ...change,
          times: 1,
        });
        const callback = await signIn(bff, new CookieJar(), 0);
        expect(callback.headers.location).toBe("http://localhost:3000/?authError=invalid_id_token");
      }
    } finally {
      b2c.faults.clear();
      await bff.close();
    }
  });

  it("a workforce or External ID BFF refuses a B2C-shaped token (no tid, a user flow)", async () => {
    for (const kind of ["workforce", "external"] as const) {
      const target = emulator(kind);
      const bff = await startBff(target, envFor(kind));
      try {
        target.faults.add({
          target: "token",
          kind: "id_token_claims",
          grantType: "authorization_code",
          remove: ["tid"],
          set: { tfp: "b2c_1_susi", ver: "1.0" },
          times: 1,
        });
        const callback = await signIn(bff, new CookieJar(), 0);
        expect(callback.headers.location).toBe("http://localhost:3000/?authError=invalid_id_token");
        expect(
          bff.logs.some((line) => line.includes("claim `tid` failed validation (missing)")),
        ).toBe(true);
      } finally {
        target.faults.clear();
        await bff.close();
      }
    }
  });
});
