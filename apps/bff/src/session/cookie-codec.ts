// Encrypts and authenticates cookie payloads with @fastify/secure-session's format and keys
// (XSalsa20-Poly1305; SESSION_KEYS newest first, older keys still decrypt). The plugin is
// registered in a scope of its own (session-codec's createCookieCodec) for its codec only:
// its per-request hook would decrypt the identity cookie on every request, even /healthz.
import type { FastifyBaseLogger } from "fastify";

export interface Opened<T> {
  payload: T;
  /** Decrypted with an older key: re-issue under the newest. */
  rotated: boolean;
}

/** secure-session's encode/decode, as its decorators provide them. */
export interface SecureSessionCodec {
  createSecureSession(data: Record<string, unknown>): unknown;
  encodeSecureSession(session: unknown): string;
  decodeSecureSession(
    cookie: string,
    log: FastifyBaseLogger,
  ): { data(): unknown; changed: boolean } | null;
}

/**
 * secure-session's own format is `base64(cipher);base64(nonce)`, whose `+ / = ;` a cookie
 * carries percent-encoded (3 bytes each). Sealed values here use the URL-safe alphabet and
 * `.` instead, so a value's length is its length on the wire; Node's base64 decoder reads
 * both alphabets, so values in the plugin's own format still open.
 */
export class CookieCodec {
  readonly #codec: SecureSessionCodec;
  constructor(codec: SecureSessionCodec) {
    this.#codec = codec;
  }

  seal(payload: object): string {
    const sealed = this.#codec.encodeSecureSession(this.#codec.createSecureSession({ ...payload }));
    return sealed.replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "").replace(";", ".");
  }

  /** `undefined` for anything tampered, truncated, foreign or undecryptable; never throws. */
  open<T>(
    value: string,
    log: FastifyBaseLogger,
    isPayload: (data: unknown) => data is T,
  ): Opened<T> | undefined {
    try {
      const session = this.#codec.decodeSecureSession(value.replace(".", ";"), log);
      if (!session) return undefined;
      const data = session.data();
      if (!isPayload(data)) {
        log.debug("cookie decrypted but has an unexpected shape; ignored");
        return undefined;
      }
      return { payload: data, rotated: session.changed };
    } catch (error) {
      log.debug({ err: error }, "cookie could not be decoded; ignored");
      return undefined;
    }
  }
}
