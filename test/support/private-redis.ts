import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { describe, it } from 'vitest';

/** A redis-server of this test alone, on a free loopback port, without persistence. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Starts the server (again) on the same port, resolving once it accepts connections. */
  start(): Promise<void>;
  /** Stops the server (SIGTERM) and waits for it to exit. Its data is gone: no persistence. */
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  /** Thaws a frozen server (SIGCONT). */
  thaw(): void;
}

/** Whether `redis-server` is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `describe` for a block that starts its own redis-server: skipped visibly without the
 * binary, failed under CI (`CI=true`).
 */
export function describeWithRedisServer(title: string, body: () => void): void {
  if (hasRedisServer()) {
    describe(`${title} [private redis-server]`, body);
  } else if (process.env.CI === 'true') {
    describe(`${title} [private redis-server]`, () => {
      it('requires redis-server under CI', () => {
        throw new Error('redis-server is not installed: fault tests may not be skipped under CI');
      });
    });
  } else {
    console.warn(`[skip] ${title}: install redis-server to run it`);
    describe.skip(`${title} (redis-server not installed)`, body);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a private redis-server: `--port N --save "" --appendonly no`, never the shared one. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await waitForPort(port, 5000);
    },
    async stop() {
      const running = child;
      child = null;
      if (running === null || running.exitCode !== null) return;
      running.kill('SIGCONT');
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
  };
  await redis.start();
  return redis;
}
