// A real HTTP server on 127.0.0.1 standing in for a declared downstream API: it records
// exactly what arrives (method, raw path, headers, body) and answers as each test programs.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { ensureDevCertificates } from "@entra-bff/entra-emulator";

export interface Received {
  method: string;
  /** The request target as sent on the wire (path and query, still percent-encoded). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type Responder = (
  request: Received,
  response: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

export interface RecordingUpstream {
  /** http://127.0.0.1:<port>, or https://localhost:<port> with `tls`. */
  origin: string;
  received: Received[];
  /** How the next requests are answered (default: 200 JSON echoing the method and url). */
  respond(responder: Responder): void;
  reset(): void;
  close(): Promise<void>;
}

const echo: Responder = (request, response) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ method: request.method, url: request.url }));
};

/**
 * `tls`: https with the emulator's dev certificate (which the test workers trust through
 * NODE_EXTRA_CA_CERTS), for settings that must be https (GRAPH_BASE_URL).
 */
export async function startRecordingUpstream(
  options: { tls?: boolean } = {},
): Promise<RecordingUpstream> {
  const received: Received[] = [];
  let responder: Responder = echo;
  const handler = (raw: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const request: Received = {
        method: raw.method ?? "",
        url: raw.url ?? "",
        headers: raw.headers,
        body: Buffer.concat(chunks),
      };
      received.push(request);
      Promise.resolve(responder(request, response, raw)).catch(() => response.destroy());
    });
  };
  let server: ReturnType<typeof createServer>;
  if (options.tls) {
    const files = await ensureDevCertificates();
    const [key, cert] = await Promise.all([
      readFile(files.keyFile, "utf8"),
      readFile(files.certFile, "utf8"),
    ]);
    server = createHttpsServer({ key, cert }, handler) as unknown as ReturnType<
      typeof createServer
    >;
  } else {
    server = createServer(handler);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    received,
    respond(next) {
      responder = next;
    },
    reset() {
      received.length = 0;
      responder = echo;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
