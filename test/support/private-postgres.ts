import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed PostgreSQL `bin` folder holding initdb and postgres, or `undefined`. */
export function postgresBinaries(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((name) => existsSync(join(PG_ROOT, name, 'bin', 'postgres')))
    .toSorted((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(PG_ROOT, versions[0]!, 'bin') : undefined;
}

/** PostgreSQL refuses to run as root: the unprivileged account to run it as, when we are root. */
const RUN_AS = process.getuid?.() === 0 ? 'postgres' : undefined;

function command(bin: string, args: readonly string[]): [string, string[]] {
  return RUN_AS === undefined ? [bin, [...args]] : ['runuser', ['-u', RUN_AS, '--', bin, ...args]];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A PostgreSQL server of the test's own, on a free loopback port, with default settings, that
 * the test may crash, restart and freeze: never the shared server. `root` connects with trust.
 *
 * @example
 * const pg = await PrivatePostgres.start();
 * await pg.crash(); await pg.restart(); pg.freeze(); pg.thaw(); await pg.destroy();
 */
export class PrivatePostgres {
  private process: ChildProcess | null = null;

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** `postgres://root@127.0.0.1:PORT/postgres` */
  get url(): string {
    return `postgres://root@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb into a temporary folder, then starts the server. */
  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinaries();
    if (bin === undefined) throw new Error('PostgreSQL binaries not found');
    const dir = mkdtempSync(join(tmpdir(), 'nha-pg-'));
    if (RUN_AS !== undefined) {
      const id = spawnSync('id', ['-u', RUN_AS], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', RUN_AS], { encoding: 'utf8' });
      chownSync(dir, Number(id.stdout), Number(gid.stdout));
    }
    const [cmd, args] = command(join(bin, 'initdb'), [
      '-D',
      join(dir, 'data'),
      '-A',
      'trust',
      '-U',
      'root',
      '--no-sync',
    ]);
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const server = new PrivatePostgres(bin, dir, await freePort());
    await server.restart();
    return server;
  }

  /** Starts (again) on the same port and data, and waits until it accepts connections. */
  async restart(): Promise<void> {
    const [cmd, args] = command(join(this.bin, 'postgres'), [
      '-D',
      join(this.dir, 'data'),
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ]);
    const log = openSync(join(this.dir, 'server.log'), 'a');
    this.process = spawn(cmd, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = spawnSync(join(this.bin, 'pg_isready'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(this.port),
      ]);
      if (ready.status === 0) return;
      if (Date.now() > deadline) {
        const tail = readFileSync(join(this.dir, 'server.log'), 'utf8').slice(-2000);
        throw new Error(`private PostgreSQL did not start:\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Stops the server the way a crash does: `pg_ctl stop -m immediate` aborts every process
   * without a checkpoint (crash recovery at the next start) and drops every connection. Not
   * SIGKILL: the postmaster's children would outlive it as zombies nobody reaps in a container.
   */
  async crash(): Promise<void> {
    const child = this.process;
    if (child === null) return;
    this.process = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const [cmd, args] = command(join(this.bin, 'pg_ctl'), [
      'stop',
      '-D',
      join(this.dir, 'data'),
      '-m',
      'immediate',
      '-w',
    ]);
    const stop = spawnSync(cmd, args, { encoding: 'utf8' });
    if (stop.status !== 0) throw new Error(`pg_ctl stop failed: ${stop.stderr}`);
    await exited;
  }

  /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
  freeze(): void {
    for (const pid of this.serverPids()) process.kill(pid, 'SIGSTOP');
  }

  /** SIGCONT: the server runs on, answering what waited. */
  thaw(): void {
    for (const pid of this.serverPids()) process.kill(pid, 'SIGCONT');
  }

  /** The postmaster (first line of postmaster.pid) and its descendants; backends have their own process group. */
  private serverPids(): number[] {
    if (this.process === null) return [];
    const postmaster = Number(
      readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const table = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
    const pids = [postmaster];
    for (let i = 0; i < pids.length; i += 1) {
      for (const [pid, ppid] of table) if (ppid === pids[i]) pids.push(pid);
    }
    // runuser stops itself when its child stops (util-linux su-common.c) and must be resumed too.
    return this.process.pid === postmaster ? pids : [this.process.pid!, ...pids];
  }

  async destroy(): Promise<void> {
    this.thaw();
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * `describe` for a block that starts its own PostgreSQL: skipped with a visible message when
 * the binaries are missing, failing instead under CI (`CI=true`), like `describeWithService`.
 */
export function describeWithPrivatePostgres(title: string, body: () => void): void {
  if (postgresBinaries() !== undefined) {
    describe(`${title} [private postgres]`, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(`${title} [private postgres]`, () => {
      it('requires the PostgreSQL binaries under CI', () => {
        throw new Error(
          `no PostgreSQL in ${PG_ROOT}/*/bin: fault tests may not be skipped under CI`,
        );
      });
    });
    return;
  }
  console.warn(
    `[skip] ${title}: install PostgreSQL (initdb, postgres in ${PG_ROOT}/*/bin) to run it`,
  );
  describe.skip(`${title} [private postgres] (PostgreSQL binaries not found)`, body);
}
