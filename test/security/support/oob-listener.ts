import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The `<oob>` catcher of the catalogue: a loopback HTTP server that records every request. */
export interface OobListener {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Method and URL of every request received so far. */
  readonly hits: string[];
  /** Sets what the listener answers (default: an empty JWK Set). */
  respondWith(body: string, contentType?: string): void;
  close(): Promise<void>;
}

/** Starts an {@link OobListener} on an ephemeral loopback port. */
export async function startOobListener(): Promise<OobListener> {
  const hits: string[] = [];
  let body = '{"keys":[]}';
  let contentType = 'application/json';
  const server: Server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'Content-Type': contentType });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    respondWith(next, type = 'application/json') {
      body = next;
      contentType = type;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
