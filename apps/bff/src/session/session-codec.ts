// The one cookie codec of the app, from @fastify/secure-session registered where no route
// lives: its decorators (the codec) without its hooks (a decryption and a Proxy per request).
import fastifySecureSession from "@fastify/secure-session";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config.ts";
import { CookieCodec, type SecureSessionCodec } from "./cookie-codec.ts";

export async function createCookieCodec(
  app: FastifyInstance,
  config: Config,
): Promise<CookieCodec> {
  let codec: SecureSessionCodec | undefined;
  await app.register(async (scope) => {
    await scope.register(fastifySecureSession, {
      key: config.sessionKeys,
      // A backstop only: identity.ts enforces the idle and absolute expiry with the app's
      // clock. Every sealed value expires this long after it was sealed.
      expiry: config.sessionAbsoluteHours * 3600 + 300,
    });
    codec = scope as unknown as SecureSessionCodec;
  });
  await app.after();
  return new CookieCodec(codec!);
}
