// The token cookies: the refresh token and the scopes the session consented to, encrypted,
// bound to the identity's sid, split across cookies when too large for one. Access tokens
// are not here: they live on the server (tokens/access-token-cache.ts), per resource.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { CookieCodec, Opened } from "./cookie-codec.ts";
import {
  type CookieNames,
  clearCookie,
  sessionCookieOptions,
  setBoundedCookie,
} from "./cookies.ts";
import { DecryptedCache } from "./decrypted-cache.ts";

export interface TokenSet {
  /** The identity cookie's sid: a token cookie only counts next to its own identity. */
  sid: string;
  refreshToken: string;
  /** SCOPES plus what incremental consent added: asked for again at every new sign-in. */
  scopes: string[];
}

/** Leaves room in 4096 bytes for the name and attributes. */
export const tokenChunkLength = 3800;
/** Node rejects request headers over 16 KB in total (431): never send more than ~11.4 KB of tokens. */
export const maxTokenChunks = 3;

interface StoredTokens {
  /** 1: also held the Graph access token (read for sessions from before; ignored). */
  v: 1 | 2;
  typ: "tokens";
  sid: string;
  rt: string;
  scp: string;
}

export interface TokenStore {
  /**
   * The tokens bound to `sid`, or `undefined` when missing, undecryptable or bound to
   * another session. Re-issues them when they were sealed with an older key.
   */
  read(
    request: FastifyRequest,
    reply: FastifyReply,
    session: { sid: string; absoluteExpiresAt: number },
    now: number,
  ): TokenSet | undefined;
  write(reply: FastifyReply, tokens: TokenSet, absoluteExpiresAt: number, now: number): void;
  /** Clears the token cookies the request carries. */
  clear(request: FastifyRequest, reply: FastifyReply): void;
}

/** Distinct token cookie values remembered decrypted (one per active session is plenty). */
export const maxCachedTokenCookies = 5_000;

export function createTokenStore(
  config: Config,
  names: CookieNames,
  codec: CookieCodec,
): TokenStore {
  const decrypted = new DecryptedCache<Opened<StoredTokens>>(maxCachedTokenCookies);
  const open = (sealed: string, request: FastifyRequest) => {
    const known = decrypted.get(sealed);
    if (known) return known;
    const opened = codec.open(sealed, request.log, isStoredTokens);
    if (opened) decrypted.set(sealed, opened);
    return opened;
  };
  const store: TokenStore = {
    read(request, reply, session, now) {
      const chunks: string[] = [];
      for (let i = 0; i < maxTokenChunks; i++) {
        const chunk = request.cookies[names.tokens(i)];
        if (chunk === undefined) break;
        chunks.push(chunk);
      }
      if (chunks.length === 0) return undefined;
      const opened = open(chunks.join(""), request);
      if (!opened) return undefined;
      const stored = opened.payload;
      if (stored.sid !== session.sid) {
        request.log.warn("token cookie belongs to another session; ignored");
        return undefined;
      }
      const tokens: TokenSet = {
        sid: stored.sid,
        refreshToken: stored.rt,
        scopes: stored.scp.split(" "),
      };
      // Sealed with an older key, or in the earlier format: re-issue under the newest.
      if (opened.rotated || stored.v !== 2)
        store.write(reply, tokens, session.absoluteExpiresAt, now);
      return tokens;
    },

    write(reply, tokens, absoluteExpiresAt, now) {
      const stored: StoredTokens = {
        v: 2,
        typ: "tokens",
        sid: tokens.sid,
        rt: tokens.refreshToken,
        scp: tokens.scopes.join(" "),
      };
      const sealed = codec.seal(stored);
      if (sealed.length > tokenChunkLength * maxTokenChunks) {
        throw new Error(`the refresh token needs ${sealed.length} bytes of cookies`);
      }
      const options = sessionCookieOptions(config, (absoluteExpiresAt - now) / 1000);
      const count = Math.ceil(sealed.length / tokenChunkLength);
      for (let i = 0; i < maxTokenChunks; i++) {
        if (i < count) {
          setBoundedCookie(
            reply,
            names.tokens(i),
            sealed.slice(i * tokenChunkLength, (i + 1) * tokenChunkLength),
            options,
          );
        } else {
          // Always clear the rest: a stale chunk from a larger earlier set would be appended
          // to this one and make it undecryptable.
          clearCookie(reply, names.tokens(i), options);
        }
      }
    },

    clear(request, reply) {
      const options = sessionCookieOptions(config);
      for (let i = 0; i < maxTokenChunks; i++) {
        // Only what the browser sent: no Set-Cookie on every unauthenticated request.
        if (request.cookies[names.tokens(i)] !== undefined)
          clearCookie(reply, names.tokens(i), options);
      }
    },
  };
  return store;
}

function isStoredTokens(data: unknown): data is StoredTokens {
  if (typeof data !== "object" || data === null) return false;
  const v = data as Partial<StoredTokens>;
  return (
    (v.v === 1 || v.v === 2) &&
    v.typ === "tokens" &&
    typeof v.sid === "string" &&
    typeof v.rt === "string" &&
    typeof v.scp === "string"
  );
}
