// Names and attributes of every cookie the BFF sets.
import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply } from "fastify";
import type { Config } from "../config.ts";

/** RFC 6265 guarantees browsers keep at least 4096 bytes per cookie (name, value, attributes). */
export const maxCookieBytes = 4096;

export interface CookieNames {
  /** Small: sid, the user's claims, expiry. Sent with every request. */
  identity: string;
  /** Token cookie chunk `i`; only /api/* and renewal read them. */
  tokens: (index: number) => string;
  tokensPrefix: string;
  /** One sign-in transaction, named by a prefix of its `state`. */
  transaction: (statePrefix: string) => string;
  transactionPrefix: string;
}

/**
 * `__Host-` (whenever the origin is https) pins a cookie to this exact host, https and
 * Path=/, so a sibling subdomain or a plain-http network attacker cannot plant or overwrite it.
 */
export function cookieNames(config: Config): CookieNames {
  const prefix = config.secureCookies ? "__Host-" : "";
  return {
    identity: `${prefix}bff-session`,
    tokens: (index) => `${prefix}bff-token-${index}`,
    tokensPrefix: `${prefix}bff-token-`,
    transaction: (statePrefix) => `${prefix}bff-tx-${statePrefix}`,
    transactionPrefix: `${prefix}bff-tx-`,
  };
}

/**
 * Session cookies are SameSite=Strict: the browser then never attaches them to a request
 * another site starts, not even a top-level navigation. The SPA only needs them on its own
 * same-site fetches, which still carry them after arriving from Entra's redirect.
 * The sign-in transaction must be Lax: Entra's redirect to /auth/callback is a cross-site
 * top-level GET, and a Strict cookie would not come back with it.
 */
export function sessionCookieOptions(
  config: Config,
  maxAgeSeconds?: number,
): CookieSerializeOptions {
  return {
    path: "/",
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: "strict",
    ...(maxAgeSeconds === undefined ? {} : { maxAge: Math.max(0, Math.floor(maxAgeSeconds)) }),
  };
}

export function transactionCookieOptions(
  config: Config,
  maxAgeSeconds: number,
): CookieSerializeOptions {
  return {
    path: "/",
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: "lax",
    maxAge: maxAgeSeconds,
  };
}

/** Sets a cookie, refusing (as a bug) one that a browser could silently drop for its size. */
export function setBoundedCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  options: CookieSerializeOptions,
): void {
  const size = reply.server.serializeCookie(name, value, {
    ...options,
    secure: options.secure === true,
  }).length;
  if (size > maxCookieBytes) {
    throw new Error(`cookie ${name} would be ${size} bytes, over the ${maxCookieBytes}-byte limit`);
  }
  reply.setCookie(name, value, options);
}

export function clearCookie(
  reply: FastifyReply,
  name: string,
  options: CookieSerializeOptions,
): void {
  reply.clearCookie(name, { ...options, maxAge: 0 });
}
