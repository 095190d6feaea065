/**
 * GET /error?code=N: what `error_uri` in every error points at, as Entra's
 * `login.microsoftonline.com/error?code=N` does: the AADSTS code and what it means.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.ts";
import { errorPage, pageSecurityHeaders } from "../pages.ts";

/** The codes the emulator answers, with the gist of Entra's error reference. */
const descriptions: Readonly<Record<number, string>> = {
  28000: "The scope names more than one resource: a token is for one resource.",
  50000: "There was an error issuing a token or an issue with the sign-in service.",
  50011: "The redirect URI in the request does not match a redirect URI of the app.",
  50013: "The assertion failed validation: its signature, audience or issuer is wrong.",
  50020: "The user's account is not in the tenant and cannot access the application there.",
  50027: "The JWT is invalid or malformed.",
  50034: "The user account does not exist in the directory.",
  50058: "A silent sign-in request was sent but no user is signed in.",
  50076: "Multi-factor authentication is required.",
  54005: "The authorization code was already redeemed.",
  65001: "The user or administrator has not consented to use the application.",
  65004: "The user declined to consent to access the app.",
  70000: "The grant is invalid or malformed.",
  70002: "The client does not exist or is not enabled for consumers (personal accounts).",
  70003: "The app requested an unsupported grant type.",
  70007: "'query' is not a supported response_mode when requesting a token.",
  70008: "The authorization code or refresh token has expired.",
  70011: "The scope is not valid.",
  70016: "Device code flow: authorization is pending; keep polling.",
  70020: "Device code flow: the device code expired.",
  90002: "The tenant was not found.",
  90015: "The request expired or was already used.",
  90023: "The request is not valid.",
  90033: "A transient error has occurred; try again.",
  90094: "The grant requires admin permission.",
  90100: "A request parameter is empty or not valid.",
  500011: "The resource principal was not found in the tenant.",
  500112: "The reply address does not match the one used to request the authorization code.",
  500133: "The assertion is not within its valid time range.",
  501481: "The code verifier does not match the code challenge.",
  650053: "The app asked for a scope that does not exist on the resource.",
  700005: "The authorization code is intended for another tenant.",
  700016: "The application was not found in the directory.",
  700025: "The client is public: it must not present a client secret or assertion.",
  700054: "The response_type is not enabled for the application.",
  700082: "The refresh token has expired due to inactivity.",
  700084: "The SPA's refresh token reached its fixed 24-hour lifetime.",
  900144: "The request is missing a required parameter.",
  1002012: "Client credential flows need a scope of <resource>/.default.",
  7000215: "An invalid client secret was provided.",
  7000216: "client_assertion, client_secret or request is required for client_credentials.",
  7000218: "The request must contain client_assertion or client_secret.",
  9002313: "The request is malformed or invalid.",
  9002322: "The code_challenge_method is not supported.",
  9002325: "Proof Key for Code Exchange is required.",
  9002326: "Cross-origin token redemption is permitted only for single-page apps.",
  9002327: "Tokens issued for a single-page app may only be redeemed cross-origin.",
};

export function errorLookupRoutes(app: FastifyInstance, _ctx: EmulatorContext) {
  app.get<{ Querystring: { code?: string } }>("/error", async (request, reply) => {
    const code = Number(request.query.code);
    if (!Number.isInteger(code) || code <= 0) {
      return reply
        .code(400)
        .headers(pageSecurityHeaders)
        .send(errorPage("Error lookup", "Name an AADSTS error code: /error?code=50011."));
    }
    const description =
      descriptions[code] ??
      "The emulator does not describe this code; see Microsoft's AADSTS error code reference.";
    return reply
      .headers(pageSecurityHeaders)
      .send(errorPage(`AADSTS${code}`, `AADSTS${code}: ${description}`));
  });
}
