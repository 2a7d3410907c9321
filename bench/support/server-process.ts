import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

  /**
   * The child's CPU time in microseconds as the kernel accounts it, read from outside: the
   * sum over its threads (main, libuv pool, V8 GC and compiler helpers) of the first field of
   * `/proc/<pid>/task/<tid>/schedstat`, nanoseconds on CPU. Unlike a `stats()` call it costs
   * the child nothing. Falls back to the child's own `process.cpuUsage()` where there is no
   * /proc (macOS).
   */
  async cpuMicros(): Promise<number> {
    const pid = this.child.pid;
    if (pid !== undefined) {
      try {
        let nanos = 0;
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          try {
            nanos += Number(
              readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0],
            );
          } catch {
            // A thread that ended between readdir and read.
          }
        }
        if (nanos > 0) return nanos / 1000;
      } catch {
        // No /proc: fall through.
      }
    }
    return (await this.stats()).cpuMicros;
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
