/**
 * Checks app registrations once, at start: a misspelt setting would otherwise silently make
 * the emulator behave unlike the Entra registration it stands for.
 */
import { assertOptionalClaims } from "./optional-claims.ts";
import type { ClientRegistration } from "./types.ts";

/** Throws a TypeError naming the registration and the setting. */
export function assertRegistrations(registrations: ClientRegistration[]): void {
  for (const registration of registrations) {
    const name = `registration ${registration.clientId}`;
    if (typeof registration.clientId !== "string" || registration.clientId === "") {
      throw new TypeError("every registration needs a clientId");
    }
    if (!Array.isArray(registration.redirectUris)) {
      throw new TypeError(`${name}: redirectUris must be an array (the Web platform's)`);
    }
    for (const platform of ["spa", "publicClient"] as const) {
      const uris = registration[platform]?.redirectUris;
      if (registration[platform] !== undefined && !Array.isArray(uris)) {
        throw new TypeError(`${name}: ${platform}.redirectUris must be an array`);
      }
    }
    const version = registration.requestedAccessTokenVersion;
    if (version !== undefined && version !== 1 && version !== 2) {
      throw new TypeError(`${name}: requestedAccessTokenVersion must be 1 or 2`);
    }
    assertOptionalClaims(registration);
  }
}
