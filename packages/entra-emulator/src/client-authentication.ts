/**
 * Client authentication at the token endpoint, as Entra does it: a client secret
 * (client_secret_post or client_secret_basic), a certificate's client assertion
 * (private_key_jwt, RFC 7523) or a federated credential (a token of another issuer the
 * registration trusts), each failure answered with the AADSTS code Entra gives for it.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import {
  base64url,
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  errors as joseErrors,
  type ProtectedHeaderParameters,
} from "jose";
import { registeredCertificate } from "./client-certificates.ts";
import { type EmulatorContext, findClient, issuer } from "./context.ts";
import { aadsts, type EntraErrorInput } from "./entra-error.ts";
import { IssuerUnavailableError, issuerKeys, tokenExchangeAudience } from "./federated-issuers.ts";
import { isManagedIdentityToken, tokenExchangeAppId } from "./managed-identity.ts";
import type { ClientRegistration } from "./types.ts";

export const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** A certificate assertion lives at most this long (Entra: "exp … up to 10 minutes"). */
const assertionMaxLifetimeSeconds = 600;
/** Clock skew Entra tolerates on assertion times. */
const clockSkewSeconds = 300;

/** Why the token endpoint refused the client; the route answers `status` with `input`. */
export class ClientAuthenticationError extends Error {
  constructor(
    readonly status: number,
    readonly input: EntraErrorInput,
  ) {
    super(input.message);
    this.name = "ClientAuthenticationError";
  }
}

type TokenRequest = FastifyRequest<{
  Params: { tenant: string };
  Body: Partial<Record<string, string>>;
}>;

/**
 * Finds the registration the request names and proves the caller holds one of its
 * credentials. Throws `ClientAuthenticationError`; returns only an authenticated client.
 */
export async function authenticateClient(
  ctx: EmulatorContext,
  request: TokenRequest,
): Promise<ClientRegistration> {
  const body = request.body ?? {};
  const basic = parseBasicAuthorization(request.headers.authorization);
  const clientId = basic?.clientId ?? body.client_id;
  const secret = basic?.secret ?? body.client_secret;
  const assertion = body.client_assertion;
  const assertionType = body.client_assertion_type;

  if (!clientId) throw new ClientAuthenticationError(400, aadsts.missingParameter("client_id"));
  if (basic && body.client_id !== undefined && body.client_id !== basic.clientId) {
    throw new ClientAuthenticationError(
      400,
      invalidRequest(
        "The client_id in the body does not match the one in the Authorization header.",
      ),
    );
  }
  // RFC 6749 2.3: one authentication method per request, so none can shadow another.
  if (secret !== undefined && (assertion !== undefined || assertionType !== undefined)) {
    throw new ClientAuthenticationError(
      400,
      invalidRequest(
        "The request presents both a client secret and a client assertion; send exactly one credential.",
      ),
    );
  }
  const client = findClient(ctx, clientId);
  if (!client) {
    throw new ClientAuthenticationError(400, aadsts.unknownClient(clientId, ctx.tenantId));
  }
  if (assertion !== undefined || assertionType !== undefined) {
    await verifyClientAssertion(ctx, request.params.tenant, client, assertion, assertionType);
    return client;
  }
  if (!secret) throw new ClientAuthenticationError(401, aadsts.missingClientSecret());
  verifySecret(ctx, client, secret);
  return client;
}

/** client_secret_basic (RFC 6749 2.3.1): id and secret, each form-encoded, in Basic. */
function parseBasicAuthorization(
  authorization: string | undefined,
): { clientId: string; secret: string } | undefined {
  if (!authorization?.toLowerCase().startsWith("basic ")) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return {
    clientId: decodeForm(decoded.slice(0, colon)),
    secret: decodeForm(decoded.slice(colon + 1)),
  };
}

function verifySecret(ctx: EmulatorContext, client: ClientRegistration, secret: string): void {
  const candidates = [
    ...(client.secrets ?? []),
    ...(client.clientSecret === undefined ? [] : [{ value: client.clientSecret }]),
  ];
  // Compare with every secret, so the time taken says nothing about which one matched.
  let match: { value: string; expiresAt?: string } | undefined;
  for (const candidate of candidates) {
    if (sameString(secret, candidate.value) && !match) match = candidate;
  }
  if (!match) throw new ClientAuthenticationError(401, aadsts.invalidClientSecret(client.clientId));
  if (match.expiresAt !== undefined && Date.parse(match.expiresAt) <= ctx.now()) {
    throw new ClientAuthenticationError(401, credentialErrors.expiredSecret(client.clientId));
  }
}

async function verifyClientAssertion(
  ctx: EmulatorContext,
  tenantSegment: string,
  client: ClientRegistration,
  assertion: string | undefined,
  assertionType: string | undefined,
): Promise<void> {
  if (!assertionType) {
    throw new ClientAuthenticationError(400, aadsts.missingParameter("client_assertion_type"));
  }
  if (assertionType !== jwtBearerAssertionType) {
    throw new ClientAuthenticationError(
      400,
      invalidRequest(`client_assertion_type must be '${jwtBearerAssertionType}'.`),
    );
  }
  if (!assertion) {
    throw new ClientAuthenticationError(400, aadsts.missingParameter("client_assertion"));
  }
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    throw new ClientAuthenticationError(400, credentialErrors.malformed("The token is not a JWT."));
  }
  // The app's own assertion names the app as its issuer; anything else is a token of
  // another issuer offered as a federated credential.
  if (claims.iss === client.clientId) {
    await verifyCertificateAssertion(ctx, tenantSegment, client, assertion, header, claims);
  } else {
    await verifyFederatedAssertion(ctx, client, assertion, claims);
  }
}

/** private_key_jwt: signed by a registered certificate's key, for this token endpoint. */
async function verifyCertificateAssertion(
  ctx: EmulatorContext,
  tenantSegment: string,
  client: ClientRegistration,
  assertion: string,
  header: ProtectedHeaderParameters,
  claims: JWTPayload,
): Promise<void> {
  const alg = header.alg;
  if (alg !== "RS256" && alg !== "PS256") {
    throw new ClientAuthenticationError(400, credentialErrors.unsupportedAlgorithm(String(alg)));
  }
  const sha256 = thumbprintHex(header["x5t#S256"]);
  const sha1 = thumbprintHex(header.x5t);
  const presented = sha256 ?? sha1 ?? "";
  const certificate = (client.certificates ?? [])
    .map(registeredCertificate)
    .find((c) => (sha256 ? c.sha256 === sha256 : sha1 !== undefined && c.sha1 === sha1));
  if (!certificate) {
    throw new ClientAuthenticationError(
      401,
      credentialErrors.certificateNotRegistered(client.clientId, presented),
    );
  }
  const now = ctx.now();
  if (certificate.notAfter <= now || certificate.notBefore > now) {
    throw new ClientAuthenticationError(
      401,
      credentialErrors.certificateNotValidNow(
        presented,
        certificate.notBefore,
        certificate.notAfter,
        certificate.notAfter <= now,
      ),
    );
  }
  try {
    await compactVerify(assertion, certificate.publicKey, { algorithms: [alg] });
  } catch {
    throw new ClientAuthenticationError(401, credentialErrors.badSignature(presented));
  }
  if (claims.sub !== client.clientId) {
    throw new ClientAuthenticationError(401, credentialErrors.subjectMismatch());
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const expected = tokenEndpoints(ctx, tenantSegment, client);
  if (!audiences.some((aud) => typeof aud === "string" && expected.includes(aud))) {
    throw new ClientAuthenticationError(401, credentialErrors.audienceMismatch());
  }
  checkTimes(ctx, claims, { maxLifetimeSeconds: assertionMaxLifetimeSeconds });
  if (typeof claims.jti !== "string" || claims.jti === "") {
    throw new ClientAuthenticationError(
      400,
      credentialErrors.malformed("The client assertion has no 'jti' claim."),
    );
  }
  spendAssertion(ctx, client, claims.jti, (claims.exp as number) * 1000);
}

/** The token endpoint URLs an assertion may name: this request's tenant or the app's. */
function tokenEndpoints(
  ctx: EmulatorContext,
  tenantSegment: string,
  client: ClientRegistration,
): string[] {
  const tenants = new Set([tenantSegment, client.homeTenantId ?? ctx.tenantId]);
  return [...tenants].flatMap((tenant) => [
    `${ctx.url}/${tenant}/oauth2/v2.0/token`,
    `${ctx.url}/${tenant}/oauth2/token`,
  ]);
}

/** A certificate assertion is single-use: its `jti` is remembered until it expires. */
function spendAssertion(
  ctx: EmulatorContext,
  client: ClientRegistration,
  jti: string,
  expiresAt: number,
): void {
  const spent = ctx.credentials.spentAssertions;
  const now = ctx.now();
  for (const [key, until] of spent) {
    if (until + clockSkewSeconds * 1000 < now) spent.delete(key);
  }
  const key = `${client.clientId} ${jti}`;
  if (spent.has(key) && !ctx.credentials.allowAssertionReplay) {
    throw new ClientAuthenticationError(400, credentialErrors.replayed(jti));
  }
  spent.set(key, expiresAt);
}

/**
 * Workload identity federation: a token whose `iss`, `sub` and `aud` match one of the
 * registration's federated credentials, signed by that issuer's published keys.
 */
async function verifyFederatedAssertion(
  ctx: EmulatorContext,
  client: ClientRegistration,
  assertion: string,
  claims: JWTPayload,
): Promise<void> {
  const { iss, sub } = claims;
  const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
    (aud): aud is string => typeof aud === "string",
  );
  if (typeof iss !== "string" || typeof sub !== "string") {
    throw new ClientAuthenticationError(
      400,
      credentialErrors.malformed("The assertion has no 'iss' or 'sub' claim."),
    );
  }
  const trusts = (client.federatedCredentials ?? []).filter((trust) => trust.issuer === iss);
  if (trusts.length === 0) {
    throw new ClientAuthenticationError(401, credentialErrors.noFederatedIssuer(iss));
  }
  const entraTenant = ctx.tenants.find((tenant) => issuer(ctx, tenant.tenantId) === iss);
  if (entraTenant) {
    await verifyEntraSignature(ctx, assertion);
    // Of Entra's own tokens only a managed identity's may stand in for an app's credential.
    if (!isManagedIdentityToken(claims)) {
      throw new ClientAuthenticationError(401, credentialErrors.notManagedIdentityToken());
    }
  } else {
    await verifyIssuerSignature(ctx, iss, assertion);
  }
  checkTimes(ctx, claims, {});
  const bySubject = trusts.filter((trust) => trust.subject === sub);
  if (bySubject.length === 0) {
    throw new ClientAuthenticationError(401, credentialErrors.noFederatedSubject(sub));
  }
  // Entra's token exchange resource: its v2.0 tokens carry the application id.
  const named = audiences.map((aud) =>
    entraTenant && aud === tokenExchangeAppId ? tokenExchangeAudience : aud,
  );
  const matches = bySubject.some((trust) =>
    (trust.audiences ?? [tokenExchangeAudience]).some((aud) => named.includes(aud)),
  );
  if (!matches) {
    throw new ClientAuthenticationError(401, credentialErrors.noFederatedAudience(audiences));
  }
}

async function verifyEntraSignature(ctx: EmulatorContext, assertion: string): Promise<void> {
  const header = decodeProtectedHeader(assertion);
  if (header.kid !== ctx.key.kid) {
    throw new ClientAuthenticationError(
      401,
      credentialErrors.federatedKeyNotFound(String(header.kid), issuer(ctx)),
    );
  }
  try {
    await compactVerify(assertion, ctx.key.publicKey, { algorithms: ["RS256"] });
  } catch {
    throw new ClientAuthenticationError(400, credentialErrors.federatedBadSignature(issuer(ctx)));
  }
}

async function verifyIssuerSignature(
  ctx: EmulatorContext,
  iss: string,
  assertion: string,
): Promise<void> {
  try {
    const keys = await issuerKeys(ctx, iss);
    await compactVerify(assertion, keys, { algorithms: ["RS256"] });
  } catch (error) {
    if (error instanceof IssuerUnavailableError) {
      throw new ClientAuthenticationError(400, credentialErrors.issuerUnavailable(error.message));
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey) {
      const kid = decodeProtectedHeader(assertion).kid;
      throw new ClientAuthenticationError(
        401,
        credentialErrors.federatedKeyNotFound(String(kid), iss),
      );
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) {
      const alg = decodeProtectedHeader(assertion).alg;
      throw new ClientAuthenticationError(400, credentialErrors.unsupportedAlgorithm(String(alg)));
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new ClientAuthenticationError(400, credentialErrors.federatedBadSignature(iss));
    }
    // The key set could not be fetched or read.
    throw new ClientAuthenticationError(
      400,
      credentialErrors.issuerUnavailable((error as Error).message),
    );
  }
}

/**
 * `exp` (required) and `nbf`, with Entra's skew; optionally a bound on the lifetime. Valid
 * by the emulator's clock or by the host's: clients (msal-node) sign with the real clock,
 * which a test cannot move along with the emulator's `now`.
 */
function checkTimes(
  ctx: EmulatorContext,
  claims: JWTPayload,
  options: { maxLifetimeSeconds?: number },
): void {
  const { exp, nbf, iat } = claims;
  if (typeof exp !== "number") {
    throw new ClientAuthenticationError(
      400,
      credentialErrors.malformed("The assertion has no 'exp' claim."),
    );
  }
  const from = typeof nbf === "number" ? nbf : typeof iat === "number" ? iat : undefined;
  const validAt = (nowMs: number) => {
    const now = Math.floor(nowMs / 1000);
    const lifetime = exp - (from ?? now - clockSkewSeconds);
    return (
      exp > now - clockSkewSeconds &&
      (from === undefined || from <= now + clockSkewSeconds) &&
      (options.maxLifetimeSeconds === undefined || lifetime <= options.maxLifetimeSeconds)
    );
  };
  if (validAt(ctx.now()) || validAt(Date.now())) return;
  const tooLong =
    options.maxLifetimeSeconds !== undefined &&
    from !== undefined &&
    exp - from > options.maxLifetimeSeconds;
  throw new ClientAuthenticationError(
    401,
    credentialErrors.notInValidTimeRange(ctx.now(), from, exp, tooLong),
  );
}

function thumbprintHex(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    return Buffer.from(base64url.decode(value)).toString("hex").toUpperCase();
  } catch {
    return undefined;
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function decodeForm(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

function invalidRequest(message: string): EntraErrorInput {
  return { error: "invalid_request", code: 90023, message };
}

/** Entra's `2024-04-05T23:01:54.2089203Z`. */
function entraInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

const certificateDocs =
  "Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.";
const federationDocs =
  "Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";

/** The AADSTS errors of client credentials, with Entra's wording. */
export const credentialErrors = {
  expiredSecret: (clientId: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 7000222,
    message: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
  }),
  malformed: (reason: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 50027,
    message: `JWT token is invalid or malformed. ${reason}`,
  }),
  replayed: (jti: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 50027,
    message: `Invalid JWT token. The client assertion with 'jti' '${jti}' was already used: an assertion is single-use.`,
  }),
  unsupportedAlgorithm: (alg: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 5002730,
    message: `Invalid JWT token. Unsupported key for the signing algorithm '${alg}'.`,
  }),
  certificateNotRegistered: (clientId: string, thumbprint: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 700027,
    message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
  }),
  certificateNotValidNow: (
    thumbprint: string,
    notBefore: number,
    notAfter: number,
    expired: boolean,
  ): EntraErrorInput => ({
    error: "invalid_client",
    code: 700027,
    message: `Client assertion contains an invalid signature. [Reason - ${expired ? "The key used is expired." : "The key is not yet valid."}, Thumbprint of key used by client: '${thumbprint}', Found key 'Start=${entraInstant(notBefore)}, End=${entraInstant(notAfter)}']`,
  }),
  badSignature: (thumbprint: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 700027,
    message: `Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint}']`,
  }),
  subjectMismatch: (): EntraErrorInput => ({
    error: "invalid_client",
    code: 700021,
    message: `Client assertion application identifier doesn't match 'client_id' parameter. ${certificateDocs}`,
  }),
  audienceMismatch: (): EntraErrorInput => ({
    error: "invalid_client",
    code: 700023,
    message: `Client assertion audience claim does not match Realm issuer. ${certificateDocs}`,
  }),
  notInValidTimeRange: (
    now: number,
    from: number | undefined,
    exp: number,
    tooLong: boolean,
  ): EntraErrorInput => ({
    error: "invalid_client",
    code: 700024,
    message: `Client assertion is not within its valid time range. Current time: ${entraInstant(now)}, assertion valid from ${from === undefined ? "(not stated)" : entraInstant(from * 1000)}, expiry time of assertion ${entraInstant(exp * 1000)}.${tooLong ? ` A client assertion may be valid for at most ${assertionMaxLifetimeSeconds / 60} minutes.` : ""} ${certificateDocs}`,
  }),
  noFederatedIssuer: (iss: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 700211,
    message: `No matching federated identity record found for presented assertion issuer '${iss}'. ${federationDocs}`,
  }),
  noFederatedSubject: (sub: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 700213,
    message: `No matching federated identity record found for presented assertion subject '${sub}'. Please note that the matching is done using a case-sensitive comparison. ${federationDocs}`,
  }),
  noFederatedAudience: (audiences: string[]): EntraErrorInput => ({
    error: "invalid_client",
    code: 700212,
    message: `No matching federated identity record found for presented assertion audience '${audiences.join(", ")}'. ${federationDocs}`,
  }),
  notManagedIdentityToken: (): EntraErrorInput => ({
    error: "invalid_client",
    code: 700226,
    message: "Only MSI tokens may be used as Federated Identity Credentials for AAD issuer.",
  }),
  federatedKeyNotFound: (kid: string, iss: string): EntraErrorInput => ({
    error: "invalid_client",
    code: 7000272,
    message: `The certificate with identifier ${kid} used to sign the federated credential could not be found in the metadata of identity provider ${iss}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
  }),
  federatedBadSignature: (iss: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 50027,
    message: `Invalid JWT token. External ID token from issuer '${iss}' failed signature verification.`,
  }),
  issuerUnavailable: (reason: string): EntraErrorInput => ({
    error: "invalid_request",
    code: 501661,
    message: `Request to External OIDC endpoint failed. [Reason - ${reason}]`,
  }),
};
