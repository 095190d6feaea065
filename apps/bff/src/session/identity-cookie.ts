// The identity cookie on the wire: decrypted only by the routes that read it, once per
// request, and — since most requests of a session carry the same cookie value — remembered
// per raw value in a small bounded map (the value authenticates itself: the same bytes always
// decrypt to the same identity). Expiry and revocation are still checked on every request by
// identity.ts. Written back only when the request changed it.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { CookieCodec } from "./cookie-codec.ts";
import { clearCookie, sessionCookieOptions, setBoundedCookie } from "./cookies.ts";
import { DecryptedCache } from "./decrypted-cache.ts";
import type { Identity } from "./identity.ts";

/** Distinct cookie values remembered decrypted: one per active session is plenty. */
export const maxCachedIdentities = 5_000;

interface Loaded {
  identity: Identity;
  /** Sealed under an older key, or in an earlier format: re-issue it. */
  stale: boolean;
}

interface RequestState {
  loaded: Loaded | undefined;
  write: { identity: Identity; maxAgeSeconds: number } | "clear" | undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    identityCookie: RequestState | null;
  }
}

interface StoredIdentity {
  v: 1;
  typ: "identity";
  identity: Identity;
}

export class IdentityCookie {
  readonly #name: string;
  readonly #config: Config;
  readonly #codec: CookieCodec;
  readonly #isIdentity: (value: unknown) => value is Identity;
  readonly #cache = new DecryptedCache<Loaded>(maxCachedIdentities);

  constructor(
    config: Config,
    name: string,
    codec: CookieCodec,
    isIdentity: (value: unknown) => value is Identity,
  ) {
    this.#config = config;
    this.#name = name;
    this.#codec = codec;
    this.#isIdentity = isIdentity;
  }

  /** What the request's cookie holds (after this request's own changes), without checks. */
  load(request: FastifyRequest): Loaded | undefined {
    const state = this.#state(request);
    if (state.write === "clear") return undefined;
    if (state.write) return { identity: state.write.identity, stale: false };
    return state.loaded;
  }

  set(request: FastifyRequest, identity: Identity, maxAgeSeconds: number): void {
    this.#state(request).write = { identity: Object.freeze(identity), maxAgeSeconds };
  }

  /** Deletes the cookie, if the browser sent one (no Set-Cookie on every signed-out request). */
  clear(request: FastifyRequest): void {
    const state = this.#state(request);
    if (request.cookies[this.#name] !== undefined || state.write !== undefined)
      state.write = "clear";
  }

  /** onSend: the Set-Cookie of a changed identity. */
  flush(request: FastifyRequest, reply: FastifyReply): void {
    const write = request.identityCookie?.write;
    if (write === undefined) return;
    if (write === "clear") {
      clearCookie(reply, this.#name, sessionCookieOptions(this.#config));
      return;
    }
    const stored: StoredIdentity = { v: 1, typ: "identity", identity: write.identity };
    setBoundedCookie(
      reply,
      this.#name,
      this.#codec.seal(stored),
      sessionCookieOptions(this.#config, write.maxAgeSeconds),
    );
  }

  #state(request: FastifyRequest): RequestState {
    if (request.identityCookie) return request.identityCookie;
    const state: RequestState = { loaded: this.#decode(request), write: undefined };
    request.identityCookie = state;
    return state;
  }

  #decode(request: FastifyRequest): Loaded | undefined {
    const raw = request.cookies[this.#name];
    if (raw === undefined) return undefined;
    const known = this.#cache.get(raw);
    if (known) return known;
    const loaded = openIdentity(this.#codec, raw, request.log, this.#isIdentity);
    if (loaded && !loaded.stale) this.#cache.set(raw, loaded);
    return loaded;
  }
}

/** The current format, or the plugin's own (`{ identity, __ts }`) from before. */
function openIdentity(
  codec: CookieCodec,
  raw: string,
  log: FastifyBaseLogger,
  isIdentity: (value: unknown) => value is Identity,
): Loaded | undefined {
  const isStored = (data: unknown): data is { typ?: unknown; identity: Identity } =>
    typeof data === "object" &&
    data !== null &&
    isIdentity((data as { identity?: unknown }).identity);
  const opened = codec.open(raw, log, isStored);
  if (!opened) return undefined;
  return {
    identity: Object.freeze(opened.payload.identity),
    stale: opened.rotated || opened.payload.typ !== "identity",
  };
}
