import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP reverse proxy on a fixed local port whose upstream can be switched: what a load
 * balancer does in a rolling restart (start the new instance, send new requests to it, stop
 * the old one). Each request is forwarded on its own connection, so none is left on a keep-alive
 * connection to an instance that is about to stop.
 */
export interface SwitchableProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Requests go to this port from now on; requests in flight finish where they are. */
  target(port: number): void;
  close(): Promise<void>;
}

/** Starts a {@link SwitchableProxy} on a free port, forwarding to `initialPort`. */
export async function startSwitchableProxy(initialPort: number): Promise<SwitchableProxy> {
  let upstream = initialPort;
  const server: Server = createServer((incoming, outgoing) => {
    const forwarded = request(
      {
        host: '127.0.0.1',
        port: upstream,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, connection: 'close' },
        agent: false,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      // An upstream that is down: the answer a load balancer gives, never a hang.
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    target: (next) => {
      upstream = next;
    },
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
