import { fork, type ChildProcess } from 'node:child_process';
import { buildSources, builtPath } from './build-sources.js';

/** CPU and memory of a server process, as its own `process.cpuUsage()`/`memoryUsage()` see them. */
export interface ServerStats {
  /** User plus system CPU time since the process started, in microseconds. */
  readonly cpuMicros: number;
  readonly rss: number;
  readonly heapUsed: number;
}

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** A server under test in a child process, driven over the IPC channel (never over its HTTP port). */
export class ServerProcess {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (message: Reply) => {
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (message.error === undefined) waiter.resolve(message.result);
      else waiter.reject(new Error(`${label}: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`${label} exited (${code ?? signal})`));
      }
      this.pending.clear();
    });
  }

  /**
   * Forks `entry` (a TypeScript file that calls `serveOverIpc`), as transpiled JavaScript,
   * with the given environment, and waits for it to listen on 127.0.0.1.
   */
  static async start(
    label: string,
    entry: string,
    env: Record<string, string>,
    execArgv: readonly string[] = [],
  ): Promise<ServerProcess> {
    buildSources();
    const child = fork(builtPath(entry), [], {
      execArgv: ['--import', 'reflect-metadata', ...execArgv],
      env: { ...process.env, ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label} did not start within 60 s`)),
        60_000,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited during start-up (${code ?? signal})`));
      });
      child.once('message', (message: { ready?: number; error?: string }) => {
        clearTimeout(timer);
        if (message.ready !== undefined) resolve(message.ready);
        else reject(new Error(`${label} failed to start: ${message.error}`));
      });
    });
    child.removeAllListeners('exit');
    return new ServerProcess(label, child, port);
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends a command to the child and waits for its answer. */
  call<T>(type: string, payload?: unknown): Promise<T> {
    const id = (this.nextId += 1);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, type, payload });
    });
  }

  /** The child's CPU time and memory now. */
  stats(): Promise<ServerStats> {
    return this.call<ServerStats>('stats');
  }

  /** Closes the app and waits for the process to exit (so a `--cpu-prof` profile is written). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ id: 0, type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
