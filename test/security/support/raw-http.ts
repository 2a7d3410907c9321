import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { INestApplication } from '@nestjs/common';

/** What came back on a raw socket: the status line's code and the rest as text. */
export interface RawResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * Sends bytes the HTTP client libraries would refuse to write (duplicate `Authorization`
 * headers, CR/LF in a value...) on a fresh socket and reads the response until the server
 * closes the connection (`Connection: close` is expected in `raw`).
 */
export function rawRequest(port: number, raw: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
    socket.write(raw);
  });
}

/** Makes `app` listen on an ephemeral loopback port (once) and returns the port. */
export async function listeningPort(app: INestApplication): Promise<number> {
  const server = app.getHttpServer() as {
    address(): AddressInfo | string | null;
    listening: boolean;
  };
  if (!server.listening) await app.listen(0, '127.0.0.1');
  return (server.address() as AddressInfo).port;
}

/** A GET request with the given header lines, as raw HTTP/1.1 text. */
export function rawGet(path: string, headerLines: readonly string[]): string {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...headerLines,
    '',
    '',
  ].join('\r\n');
}
