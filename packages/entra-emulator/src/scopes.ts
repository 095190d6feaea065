/**
 * Scope handling as Entra does it: a scope names a resource (Graph, or a registered API by
 * its Application ID URI or client id) and a permission on it; OIDC scopes name none.
 */
import { type EmulatorContext, findClient } from "./context.ts";
import { graphResourceId } from "./defaults.ts";
import type { ClientRegistration } from "./types.ts";

const oidcScopes = new Set(["openid", "profile", "email", "offline_access"]);
const graphResourceNames = ["https://graph.microsoft.com", graphResourceId];
/** What the default tenant's admin consented to for every app: no user there is asked. */
export const adminConsentedGraphScopes: readonly string[] = ["User.Read"];

/**
 * The Graph delegated permissions the emulator knows, with the description Entra's consent
 * prompt shows the user.
 */
export const graphScopeDescriptions: Readonly<Record<string, string>> = {
  "User.Read": "Sign you in and read your profile",
  "User.ReadBasic.All": "Read all users' basic profiles",
  "Mail.Read": "Read your mail",
  "Calendars.Read": "Read your calendars",
  "Contacts.Read": "Read your contacts",
  "Files.Read": "Read your files",
  "User.Read.All": "Read all users' full profiles",
};
const knownGraphScopes = Object.keys(graphScopeDescriptions);

/** A possible audience of an access token. */
export type Resource =
  | { kind: "graph"; id: string }
  | { kind: "api"; id: string; registration: ClientRegistration };

export const graphResource: Resource = { kind: "graph", id: graphResourceId };

/** One permission on one resource: the unit of consent. */
export interface Permission {
  /** The resource's application id (Graph's, or the API's client id). */
  resourceId: string;
  /** The permission's value, e.g. `Mail.Read`, `Tasks.ReadWrite`. */
  value: string;
}

/** What a request asks of one resource. */
export interface ResourceScopes {
  resource: Resource;
  /** Permission values, in the order asked (`.default` not among them). */
  values: string[];
  /** `<resource>/.default`: the app's configured permissions on it. */
  asDefault: boolean;
  /** How the client named the resource (`api://…` or the client id), for the answer. */
  prefix: string;
}

export interface ScopeRequest {
  oidc: string[];
  /** Per resource, in the order first named. */
  resources: ResourceScopes[];
  /** A scope for a resource the emulator does not host (AADSTS500011), if any. */
  foreign: string | undefined;
  /** A scope a hosted resource does not expose (AADSTS650053 / 70011), if any. */
  unknown: { scope: string; resource: Resource } | undefined;
}

/**
 * Splits a scope string into OIDC scopes and per-resource permissions. A bare value is a
 * Graph permission (as Entra reads it); `<resource>/<value>` names the resource by URI or id.
 */
export function parseScopes(ctx: EmulatorContext, scope: string | undefined): ScopeRequest {
  const request: ScopeRequest = { oidc: [], resources: [], foreign: undefined, unknown: undefined };
  for (const raw of (scope ?? "").split(" ").filter(Boolean)) {
    const lower = raw.toLowerCase();
    if (oidcScopes.has(lower)) {
      if (!request.oidc.includes(lower)) request.oidc.push(lower);
      continue;
    }
    const slash = raw.lastIndexOf("/");
    const prefix = slash > 0 ? raw.slice(0, slash) : "";
    const value = slash >= 0 ? raw.slice(slash + 1) : raw;
    const resource = prefix ? findResource(ctx, prefix) : graphResource;
    if (!resource) {
      request.foreign ??= raw;
      continue;
    }
    let entry = request.resources.find((r) => r.resource.id === resource.id);
    if (!entry) {
      entry = { resource, values: [], asDefault: false, prefix: prefix || "" };
      request.resources.push(entry);
    }
    if (value.toLowerCase() === ".default") {
      entry.asDefault = true;
      continue;
    }
    const known = exposedValues(resource).find((v) => v.toLowerCase() === value.toLowerCase());
    if (!known) {
      request.unknown ??= { scope: raw, resource };
      continue;
    }
    if (!entry.values.includes(known)) entry.values.push(known);
  }
  return request;
}

/** Graph by name, or a registration by Application ID URI or client id (any case). */
export function findResource(ctx: EmulatorContext, name: string): Resource | undefined {
  const wanted = name.replace(/\/+$/, "").toLowerCase();
  if (graphResourceNames.some((n) => n.toLowerCase() === wanted)) return graphResource;
  const registration =
    [...ctx.clients, ...ctx.apis].find(
      (r) => r.applicationIdUri?.replace(/\/+$/, "").toLowerCase() === wanted,
    ) ?? findClient(ctx, wanted);
  return registration ? { kind: "api", id: registration.clientId, registration } : undefined;
}

/** The permissions a resource offers: Graph's known ones, or the API's exposed scopes. */
export function exposedValues(resource: Resource): string[] {
  return resource.kind === "graph"
    ? knownGraphScopes
    : (resource.registration.exposedScopes ?? []).map((s) => s.value);
}

/** The consent prompt's line for a permission. */
export function permissionDescription(ctx: EmulatorContext, permission: Permission): string {
  if (permission.resourceId === graphResourceId) {
    return graphScopeDescriptions[permission.value] ?? permission.value;
  }
  const api = findClient(ctx, permission.resourceId);
  return (
    api?.exposedScopes?.find((s) => s.value === permission.value)?.description ?? permission.value
  );
}

/**
 * How a permission is written for people and the admin API: Graph in short form
 * (`Mail.Read`), an API's as `<Application ID URI>/<value>` (or `<client id>/<value>`).
 */
export function permissionName(ctx: EmulatorContext, permission: Permission): string {
  if (permission.resourceId === graphResourceId) return permission.value;
  const api = findClient(ctx, permission.resourceId);
  return `${api?.applicationIdUri ?? permission.resourceId}/${permission.value}`;
}

/**
 * The app's configured permissions on a resource: what `.default` means. From the
 * registration's `apiPermissions` when it lists that resource; else Graph's `User.Read`, or
 * everything the API exposes.
 */
export function configuredValues(
  ctx: EmulatorContext,
  client: ClientRegistration,
  resource: Resource,
): string[] {
  const listed = parseScopes(ctx, (client.apiPermissions ?? []).join(" ")).resources.find(
    (r) => r.resource.id === resource.id,
  );
  if (listed && listed.values.length > 0) return listed.values;
  return resource.kind === "graph" ? [...adminConsentedGraphScopes] : exposedValues(resource);
}

/** Every permission a request names, `.default` expanded to the app's configured ones. */
export function requestedPermissions(
  ctx: EmulatorContext,
  client: ClientRegistration,
  resources: ResourceScopes[],
): Permission[] {
  return resources.flatMap((entry) =>
    unique([
      ...(entry.asDefault ? configuredValues(ctx, client, entry.resource) : []),
      ...entry.values,
    ]).map((value) => ({ resourceId: entry.resource.id, value })),
  );
}

/**
 * The `scope` Entra returns for a Graph token (and its `scp`): e.g. "openid profile
 * User.Read email". `offline_access` is never echoed.
 */
export function graphGrantedScope(oidc: string[], graph: string[]): string[] {
  const head = ["openid", "profile"].filter((s) => oidc.includes(s));
  const tail = oidc.includes("openid") ? ["email"] : [];
  return unique([...head, ...graph, ...tail]);
}

export function wantsRefreshToken(request: ScopeRequest): boolean {
  return request.oidc.includes("offline_access");
}

export function samePermission(a: Permission, b: Permission): boolean {
  return a.resourceId === b.resourceId && a.value === b.value;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
