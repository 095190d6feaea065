/**
 * The parameters of an /authorize request, checked as Entra checks them once the client and
 * its redirect URI are known: what to answer (`response_type`, the registration's implicit
 * grant settings), how (`response_mode`), PKCE, `prompt`, `nonce` and `scope`.
 */
import {
  appDisplayName,
  type CodeChallenge,
  type EmulatorContext,
  type RedirectPlatform,
  type ResponseKind,
  type ResponseMode,
} from "./context.ts";
import { aadsts, type EntraErrorInput } from "./entra-error.ts";
import { scopeProblem } from "./routes/browser.ts";
import { parseScopes } from "./scopes.ts";
import type { ClientRegistration } from "./types.ts";

export type Prompt = "none" | "login" | "consent" | "select_account" | "create";
const prompts = new Set<string>(["none", "login", "consent", "select_account", "create"]);
const responseModes = new Set<string>(["query", "fragment", "form_post"]);
const responseKinds = new Set<string>(["code", "id_token", "token"]);

export interface AuthorizeParameters {
  responseTypes: ResponseKind[];
  responseMode: ResponseMode;
  scopes: string[];
  codeChallenge: CodeChallenge | undefined;
  prompt: Prompt | undefined;
}

export type ParsedAuthorize =
  | { ok: true; value: AuthorizeParameters }
  /** An error for the app, sent back by `mode` (the request's own, when it was valid). */
  | { ok: false; error: EntraErrorInput; mode: ResponseMode };

type Query = Partial<Record<string, string>>;

export function parseAuthorizeParameters(
  ctx: EmulatorContext,
  query: Query,
  client: ClientRegistration,
  platform: RedirectPlatform,
): ParsedAuthorize {
  const types = (query.response_type ?? "").split(" ").filter(Boolean);
  const tokens = types.some((type) => type !== "code");
  // Errors go back as the app asked for answers, when it asked for a mode that exists.
  const asked = query.response_mode;
  const mode: ResponseMode =
    asked && responseModes.has(asked) ? (asked as ResponseMode) : tokens ? "fragment" : "query";
  const fail = (error: EntraErrorInput): ParsedAuthorize => ({ ok: false, error, mode });

  if (!query.response_type) return fail(aadsts.missingParameter("response_type"));
  const unknownType = types.find((type) => !responseKinds.has(type));
  if (unknownType !== undefined || types.length === 0) {
    return fail(aadsts.unsupportedResponseType(query.response_type));
  }
  const implicit = client.implicitGrantSettings ?? {};
  // The registration's "ID tokens" and "Access tokens" checkboxes, off for a new app.
  if (types.includes("id_token") && !implicit.enableIdTokenIssuance) {
    return fail(aadsts.unsupportedResponseType("id_token"));
  }
  if (types.includes("token") && !implicit.enableAccessTokenIssuance) {
    return fail(aadsts.unsupportedResponseType("token"));
  }
  if (asked !== undefined && !responseModes.has(asked)) {
    return fail(aadsts.unsupportedResponseMode(asked));
  }
  // A token in a query string would land in logs and the Referer header.
  if (tokens && mode === "query") return fail(aadsts.queryResponseModeWithToken());

  if (!query.scope) return fail(aadsts.missingParameter("scope"));
  const parsedScopes = parseScopes(ctx, query.scope);
  const scopeError = scopeProblem(parsedScopes, appDisplayName(client));
  if (scopeError) return fail(scopeError);
  if (types.includes("id_token")) {
    if (!parsedScopes.oidc.includes("openid")) {
      return fail({
        error: "invalid_scope",
        code: 70011,
        message:
          "The provided value for the input parameter 'scope' is not valid: an ID token needs the 'openid' scope.",
      });
    }
    // OIDC Core 3.2.2.1: an ID token from /authorize must be bound to the request.
    if (!query.nonce) return fail(aadsts.missingParameter("nonce"));
  }

  if (query.prompt !== undefined && !prompts.has(query.prompt)) {
    return fail({
      error: "invalid_request",
      code: 90023,
      message: `Invalid value for the input parameter 'prompt': '${query.prompt}'. Expected login, none, consent, select_account or create.`,
    });
  }

  const pkce = parseCodeChallenge(query);
  if ("error" in pkce) return fail(pkce.error);
  const wantsCode = types.includes("code");
  if (wantsCode && platform === "spa" && !pkce.challenge) return fail(aadsts.pkceRequired());
  // Stricter than Entra, when a test asked for it: our own BFF promises S256 PKCE.
  if (wantsCode && ctx.requirePkce && pkce.challenge?.method !== "S256") {
    return fail(aadsts.pkceS256Required());
  }

  return {
    ok: true,
    value: {
      responseTypes: types as ResponseKind[],
      responseMode: mode,
      scopes: query.scope.split(" ").filter(Boolean),
      codeChallenge: pkce.challenge,
      prompt: query.prompt as Prompt | undefined,
    },
  };
}

/** RFC 7636 4.3: `plain` when a challenge names no method; a method without one is an error. */
function parseCodeChallenge(
  query: Query,
): { challenge: CodeChallenge | undefined } | { error: EntraErrorInput } {
  const method = query.code_challenge_method;
  if (!query.code_challenge) {
    return method === undefined
      ? { challenge: undefined }
      : { error: aadsts.missingParameter("code_challenge") };
  }
  const normalized = method ?? "plain";
  if (normalized !== "S256" && normalized !== "plain") {
    return { error: aadsts.invalidCodeChallengeMethod(normalized) };
  }
  // RFC 7636 4.2: 43 to 128 unreserved characters.
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(query.code_challenge)) {
    return {
      error: {
        error: "invalid_request",
        code: 9002322,
        message:
          "Invalid input: the code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~].",
      },
    };
  }
  return { challenge: { value: query.code_challenge, method: normalized } };
}
