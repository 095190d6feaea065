// The sign-in transaction: what /auth/callback needs to finish the sign-in /auth/login
// started. One short-lived encrypted cookie per transaction, so that several tabs signing
// in at once do not overwrite each other; each is read once and deleted.
import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { CookieCodec } from "./cookie-codec.ts";
import {
  type CookieNames,
  clearCookie,
  setBoundedCookie,
  transactionCookieOptions,
} from "./cookies.ts";
import { type Identity, isIdentity } from "./identity.ts";

export interface SignInTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Incremental-consent scopes asked for beyond SCOPES; the session's tokens carry them. */
  extraScopes?: string[];
  /**
   * The session this browser had when the sign-in started, ended when the new one begins.
   * Known only here: the callback, a cross-site redirect from Entra, carries no Strict cookie.
   */
  previousSession?: { sid: string; absoluteExpiresAt: number };
  /**
   * B2C: the user flow this transaction runs besides sign-up/sign-in: its metadata redeems
   * the code, and its policy must be the ID token's.
   */
  flow?: "profileEdit" | "passwordReset";
  /**
   * Profile edit: the session whose claims the answer refreshes (display fields left out),
   * carried here because the callback, a cross-site redirect, brings no Strict cookie.
   */
  editing?: Identity;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** Entra's authorization codes live ~10 minutes; a sign-in page left longer starts over. */
export const transactionLifetimeSeconds = 600;
/**
 * Concurrent sign-ins kept per browser; the oldest is dropped beyond this. Each cookie is up
 * to ~1.8 KB (a 1 KB returnTo): three beside the largest session stay under Node's 16 KB
 * header limit, so a page that starts many sign-ins cannot lock the user out with 431s.
 */
export const maxTransactions = 3;
/** 8 base64url characters = 48 bits: enough to tell one browser's transactions apart. */
const statePrefixLength = 8;

interface StoredTransaction extends SignInTransaction {
  v: 1;
  typ: "tx";
}

export interface TransactionStore {
  save(
    request: FastifyRequest,
    reply: FastifyReply,
    transaction: SignInTransaction,
    now: number,
  ): void;
  /** The live transaction whose `state` equals `state`, deleted as it is read; else `undefined`. */
  take(
    request: FastifyRequest,
    reply: FastifyReply,
    state: string | undefined,
    now: number,
  ): SignInTransaction | undefined;
  clearAll(request: FastifyRequest, reply: FastifyReply): void;
}

export function createTransactionStore(
  config: Config,
  names: CookieNames,
  codec: CookieCodec,
): TransactionStore {
  const options = transactionCookieOptions(config, transactionLifetimeSeconds);
  const isLive = (tx: SignInTransaction, now: number) =>
    now - tx.createdAt < transactionLifetimeSeconds * 1000 && now >= tx.createdAt - 60_000;
  const present = (request: FastifyRequest) =>
    Object.keys(request.cookies).filter((name) => name.startsWith(names.transactionPrefix));

  return {
    save(request, reply, transaction, now) {
      // Drop expired, undecryptable and, beyond the cap, the oldest transactions.
      const existing: Array<{ name: string; createdAt: number }> = [];
      for (const name of present(request)) {
        const opened = codec.open(request.cookies[name] ?? "", request.log, isStoredTransaction);
        if (opened && isLive(opened.payload, now)) {
          existing.push({ name, createdAt: opened.payload.createdAt });
        } else {
          clearCookie(reply, name, options);
        }
      }
      existing.sort((a, b) => a.createdAt - b.createdAt);
      for (const stale of existing.slice(0, Math.max(0, existing.length - (maxTransactions - 1)))) {
        clearCookie(reply, stale.name, options);
      }
      const stored: StoredTransaction = { v: 1, typ: "tx", ...transaction };
      setBoundedCookie(
        reply,
        names.transaction(transaction.state.slice(0, statePrefixLength)),
        codec.seal(stored),
        options,
      );
    },

    take(request, reply, state, now) {
      if (typeof state !== "string" || !/^[A-Za-z0-9_-]{16,128}$/.test(state)) return undefined;
      const name = names.transaction(state.slice(0, statePrefixLength));
      const value = request.cookies[name];
      if (value === undefined) return undefined;
      clearCookie(reply, name, options);
      const opened = codec.open(value, request.log, isStoredTransaction);
      if (!opened) return undefined;
      const { v: _v, typ: _typ, ...transaction } = opened.payload;
      if (!sameString(transaction.state, state)) return undefined;
      if (!isLive(transaction, now)) {
        request.log.debug("sign-in transaction expired");
        return undefined;
      }
      return transaction;
    },

    clearAll(request, reply) {
      for (const name of present(request)) clearCookie(reply, name, options);
    },
  };
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isStoredTransaction(data: unknown): data is StoredTransaction {
  if (typeof data !== "object" || data === null) return false;
  const v = data as Partial<StoredTransaction>;
  return (
    v.v === 1 &&
    v.typ === "tx" &&
    typeof v.state === "string" &&
    typeof v.nonce === "string" &&
    typeof v.codeVerifier === "string" &&
    typeof v.returnTo === "string" &&
    (v.previousSession === undefined ||
      (typeof v.previousSession === "object" &&
        v.previousSession !== null &&
        typeof v.previousSession.sid === "string" &&
        typeof v.previousSession.absoluteExpiresAt === "number")) &&
    (v.extraScopes === undefined ||
      (Array.isArray(v.extraScopes) && v.extraScopes.every((s) => typeof s === "string"))) &&
    (v.flow === undefined || v.flow === "profileEdit" || v.flow === "passwordReset") &&
    (v.editing === undefined || isIdentity(v.editing)) &&
    typeof v.createdAt === "number"
  );
}
