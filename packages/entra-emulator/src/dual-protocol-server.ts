/** One TCP port that speaks both https and plain http, chosen per connection. */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";

/*
 * Why one port with two protocols: msal-node refuses an authority that is not https, so
 * the back channel (discovery, token, keys, Graph) must be TLS; but the pages a browser
 * visits (sign-in, sign-out) must open without a certificate warning, which a dev CA that
 * only Node trusts cannot give. MSAL checks only the authority's scheme, so discovery
 * points the browser at http://localhost:<port> and the server on <port> decides per
 * connection: a TLS ClientHello starts with the handshake record type 0x16, which no HTTP
 * request line can start with.
 */
const tlsHandshakeRecord = 0x16;

export interface DualProtocolServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops listening and destroys open sockets, so a held (faulted) response cannot delay it. */
  close(): Promise<void>;
}

export function createDualProtocolServer(
  handler: RequestListener<typeof IncomingMessage, typeof ServerResponse>,
  tls: { key: string; cert: string },
): DualProtocolServer {
  const httpServer = createHttpServer(handler);
  const httpsServer = createHttpsServer(tls, handler);
  const sockets = new Set<Socket>();

  const netServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("error", () => socket.destroy());
    socket.once("data", (firstChunk) => {
      socket.pause();
      socket.unshift(firstChunk);
      const server = firstChunk[0] === tlsHandshakeRecord ? httpsServer : httpServer;
      server.emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        netServer.once("error", reject);
        netServer.listen(port, host, () => {
          netServer.off("error", reject);
          resolve(netServer.address() as AddressInfo);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        netServer.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        httpServer.closeAllConnections();
        httpsServer.closeAllConnections();
      });
    },
  };
}
