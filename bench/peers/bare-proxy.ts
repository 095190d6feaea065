// The floor of proxying: Fastify and @fastify/reply-from (undici) forwarding
// `/api/graph/<path>` to Graph's `/v1.0/<path>` with one fixed access token, and nothing
// else — no session, no token lookup, no allow-list, no logger. What the BFF adds on a
// proxied call is its time above this.
import replyFrom from "@fastify/reply-from";
import Fastify from "fastify";
import { peerPaths } from "./routes.ts";
import { setting } from "./serve.ts";

const upstream = new URL(setting("GRAPH_BASE_URL"));
// The emulator's token for the benchmark's own client registration, made at run time.
const authorization = `Bearer ${setting("GRAPH_TOKEN")}`;
const prefix = `${peerPaths.bareProxyGraph}/`;

const app = Fastify({ logger: false });
await app.register(replyFrom, { base: upstream.origin });
app.get(peerPaths.healthz, async () => ({ ok: true }));
app.get(`${prefix}*`, (request, reply) => {
  const path = request.url.slice(prefix.length).split("?")[0];
  // reply-from keeps the request's query string.
  return reply.from(`${upstream.pathname}/${path}`, {
    rewriteRequestHeaders: (_request, headers) => ({
      host: headers.host,
      accept: headers.accept ?? "application/json",
      authorization,
    }),
  });
});

await app.listen({ port: Number(setting("PORT")), host: process.env.HOST ?? "127.0.0.1" });
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
