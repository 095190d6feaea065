/** Redirect URI matching as Entra does it, per platform (web, SPA, mobile and desktop). */
import type { RedirectPlatform } from "./context.ts";
import type { ClientRegistration } from "./types.ts";

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Exact match, except that an http loopback redirect URI matches on any port: Entra ignores
 * the port of `http://localhost` registrations so native and dev apps can pick one freely.
 */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const a = parse(registered);
  const b = parse(requested);
  if (!a || !b || a.protocol !== "http:" || !loopbackHosts.has(a.hostname)) return false;
  return (
    a.protocol === b.protocol &&
    a.hostname === b.hostname &&
    a.pathname === b.pathname &&
    a.search === b.search
  );
}

/** Every redirect URI of a registration with its platform, web first. */
export function registeredRedirectUris(
  client: ClientRegistration,
): { uri: string; platform: RedirectPlatform }[] {
  return [
    ...client.redirectUris.map((uri) => ({ uri, platform: "web" as const })),
    ...(client.spa?.redirectUris ?? []).map((uri) => ({ uri, platform: "spa" as const })),
    ...(client.publicClient?.redirectUris ?? []).map((uri) => ({
      uri,
      platform: "publicClient" as const,
    })),
  ];
}

/**
 * The platform of the registered redirect URI `uri` matches, or undefined when none does.
 * An exact match wins over a loopback one that ignores the port.
 */
export function redirectUriPlatform(
  client: ClientRegistration,
  uri: string,
): RedirectPlatform | undefined {
  const registered = registeredRedirectUris(client);
  return (
    registered.find((r) => r.uri === uri) ?? registered.find((r) => redirectUriMatches(r.uri, uri))
  )?.platform;
}

export function isRegisteredRedirectUri(client: ClientRegistration, uri: string): boolean {
  return redirectUriPlatform(client, uri) !== undefined;
}

/**
 * A post-logout redirect is honoured when it is a registered redirect URI or lies on the
 * origin of one: never an open redirect to a site no app registered.
 */
export function isAllowedPostLogoutUri(clients: ClientRegistration[], uri: string): boolean {
  const target = parse(uri);
  if (!target) return false;
  return clients.some((client) =>
    registeredRedirectUris(client).some(({ uri: registered }) => {
      const origin = parse(registered);
      if (!origin) return false;
      const sameOrigin =
        loopbackHosts.has(origin.hostname) && origin.protocol === "http:"
          ? origin.protocol === target.protocol && origin.hostname === target.hostname
          : origin.origin === target.origin;
      return sameOrigin;
    }),
  );
}

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}
