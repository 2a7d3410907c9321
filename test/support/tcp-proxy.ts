import { once } from 'node:events';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * A TCP proxy in front of a database or Redis that a test can cut or freeze, so that fault
 * tests need no private server: `freeze()` stops forwarding in both directions (connections
 * stay open, bytes wait, like a server stopped with SIGSTOP or a network that drops packets),
 * `cut()` resets every connection and refuses new ones (a crash), `restore()` forwards again,
 * delivering what waited.
 *
 * @example
 * const proxy = await TcpProxy.start('127.0.0.1', 5432);
 * const url = `postgres://root@127.0.0.1:${proxy.port}/test`;
 * proxy.freeze(); ...; proxy.restore();
 */
export class TcpProxy {
  private mode: 'open' | 'frozen' | 'cut' = 'open';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();

  private constructor(
    private readonly server: Server,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a proxy to `host:port` on a free loopback port. */
  static async start(host: string, port: number): Promise<TcpProxy> {
    const server = createServer({ pauseOnConnect: true });
    const proxy = new TcpProxy(server, host, port);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  /** The loopback port clients connect to. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Number of client connections currently open through the proxy. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Stops forwarding: open connections hang, new ones are accepted and hang too. */
  freeze(): void {
    this.mode = 'frozen';
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  /** Resets every connection, and every new one, until {@link restore}. */
  cut(): void {
    this.mode = 'cut';
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
  }

  /** Forwards again; bytes held by a freeze are delivered. */
  restore(): void {
    this.mode = 'open';
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.server.close();
    await once(this.server, 'close');
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // Not pipe(): a paused source that is piped may be resumed by its destination's 'drain'.
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.pause();
    upstream.connect(this.targetPort, this.targetHost, () => {
      if (this.mode === 'open') {
        client.resume();
        upstream.resume();
      }
    });
  }
}
