/** User consent: per app and user, the Graph permissions the user accepted on the prompt. */
import { type EmulatorContext, findClient, findUser } from "./context.ts";
import { adminConsentedGraphScopes, graphScopeDescriptions, parseScopes } from "./scopes.ts";
import type { EmulatorConsents, UserConsent } from "./types.ts";

export class ConsentStore {
  /** Keyed by `${clientId} ${userOid}`. */
  #granted = new Map<string, Set<string>>();

  /** The Graph scopes in `graphScopes` that neither the tenant's admin nor this user granted. */
  missing(clientId: string, userOid: string, graphScopes: readonly string[]): string[] {
    const granted = this.#granted.get(key(clientId, userOid));
    return graphScopes.filter(
      (scope) => !adminConsentedGraphScopes.includes(scope) && !granted?.has(scope),
    );
  }

  grant(clientId: string, userOid: string, graphScopes: readonly string[]): void {
    const id = key(clientId, userOid);
    const granted = this.#granted.get(id) ?? new Set();
    for (const scope of graphScopes) granted.add(scope);
    this.#granted.set(id, granted);
  }

  revoke(clientId: string, userOid: string): void {
    this.#granted.delete(key(clientId, userOid));
  }

  list(): { clientId: string; userOid: string; scopes: string[] }[] {
    return [...this.#granted].map(([id, scopes]) => {
      const [clientId, userOid] = id.split(" ") as [string, string];
      return { clientId, userOid, scopes: [...scopes] };
    });
  }
}

function key(clientId: string, userOid: string): string {
  return `${clientId} ${userOid}`;
}

/**
 * `emulator.consents`, also behind the admin routes. Names users by UPN or oid and checks
 * every argument, throwing a TypeError that says what is wrong, so a typo in a test is loud.
 */
export function consentAdmin(ctx: EmulatorContext): EmulatorConsents {
  const resolveUser = (user: unknown) => {
    if (typeof user !== "string" || user === "") {
      throw new TypeError("user must be a UPN or an object id (oid)");
    }
    const found = findUser(ctx, user);
    if (!found) {
      throw new TypeError(
        `unknown user "${user}"; the emulator has ${ctx.users.map((u) => u.userPrincipalName).join(", ")}`,
      );
    }
    return found;
  };
  const resolveClient = (clientId: unknown) => {
    if (clientId === undefined) return ctx.clients[0]!.clientId;
    if (typeof clientId !== "string" || !findClient(ctx, clientId)) {
      throw new TypeError(
        `clientId must be a registered client: ${ctx.clients.map((c) => c.clientId).join(", ")}`,
      );
    }
    return clientId;
  };
  const describe = (consent: { clientId: string; userOid: string; scopes: string[] }) => ({
    clientId: consent.clientId,
    userOid: consent.userOid,
    userPrincipalName: findUser(ctx, consent.userOid)?.userPrincipalName ?? consent.userOid,
    scopes: consent.scopes,
  });
  return {
    grant(user, scopes, clientId) {
      const { oid } = resolveUser(user);
      const client = resolveClient(clientId);
      ctx.consents.grant(client, oid, graphScopeNames(scopes));
    },
    revoke(user, clientId) {
      const { oid } = resolveUser(user);
      ctx.consents.revoke(resolveClient(clientId), oid);
    },
    list(filter = {}): UserConsent[] {
      const oid = filter.user === undefined ? undefined : resolveUser(filter.user).oid;
      const client = filter.clientId === undefined ? undefined : resolveClient(filter.clientId);
      return ctx.consents
        .list()
        .filter(
          (c) => (oid === undefined || c.userOid === oid) && (client ?? c.clientId) === c.clientId,
        )
        .map(describe);
    },
  };
}

/** Short-form Graph scope names (`Mail.Read`); the full `https://graph…/` form is accepted. */
function graphScopeNames(scopes: unknown): string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new TypeError("scopes must be a non-empty array of Graph scope names");
  }
  return scopes.map((scope) => {
    const parsed = typeof scope === "string" ? parseScopes(scope) : undefined;
    if (
      typeof scope !== "string" ||
      scope.includes(" ") ||
      parsed?.graph.length !== 1 ||
      parsed.oidc.length > 0 ||
      parsed.foreign ||
      /\.default$/i.test(scope)
    ) {
      throw new TypeError(
        `unknown Graph scope ${JSON.stringify(scope)}; the emulator knows ${Object.keys(graphScopeDescriptions).join(", ")}`,
      );
    }
    return parsed.graph[0]!;
  });
}
