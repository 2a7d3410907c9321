import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { numbered, pg, type PgPool, type SqliteDatabase } from './raw-drivers.js';

const DAY_MS = 86_400_000;

/** What a raw run measured. */
export interface RawRunResult {
  readonly rotations: number;
  readonly seconds: number;
  readonly rps: number;
  /** Milliseconds per rotation (pool wait included on PostgreSQL). */
  readonly p50: number;
  readonly p99: number;
}

interface Chain {
  token: string;
  readonly sessionId: string;
  readonly userId: string;
}

interface Child {
  readonly id: string;
  readonly token: string;
  readonly hash: string;
  readonly nonce: string;
}

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

function newChild(): Child {
  const token = randomBytes(32).toString('base64url');
  return {
    id: randomUUID(),
    token,
    hash: hash(token),
    nonce: randomBytes(32).toString('base64url'),
  };
}

// The minimal compare-and-set rotation: spend the presented token only if it is still unspent,
// and insert its successor, in one transaction. No session row, no user lookup, no signing.
const SPEND = `UPDATE auth_refresh_tokens SET spent_at = $1, last_used_at = $1, successor_id = $2
WHERE token_hash = $3 AND spent_at IS NULL AND revoked_at IS NULL`;
const INSERT = `INSERT INTO auth_refresh_tokens (id, session_id, user_id, token_hash, nonce, parent_id, created_at,
  expires_at, idle_expires_at, user_agent, ip, auth_time) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $7, 'bench', '127.0.0.1', $6)`;
const insertPg = (client: { query: PgPool['query'] }, chain: Chain, child: Child, now: number) =>
  client.query(INSERT, [
    child.id,
    chain.sessionId,
    chain.userId,
    child.hash,
    child.nonce,
    now,
    now + 14 * DAY_MS,
  ]);
const sqlite = (sql: string): string => sql.replaceAll(/\$(\d)/g, '?$1');

/**
 * The baseline of the refresh benchmark: chained compare-and-set rotations done directly with
 * better-sqlite3 or pg on the module's own table, `clients` chains at once.
 */
export class RawRotation {
  private chains: Chain[] = [];

  private constructor(
    private readonly rotateOnce: (chain: Chain, child: Child, now: number) => Promise<boolean>,
    private readonly insertFirst: (chain: Chain, child: Child, now: number) => Promise<void>,
    readonly close: () => Promise<void>,
  ) {}

  /** On PostgreSQL, with its own pool of `clients` connections in `schema`. */
  static postgres(url: string, schema: string, clients: number): RawRotation {
    const pool: PgPool = new pg.Pool({
      connectionString: url,
      max: clients,
      options: `-c search_path=${schema}`,
    });
    return new RawRotation(
      async (chain, child, now) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const spent = await client.query(SPEND, [now, child.id, hash(chain.token)]);
          if (spent.rowCount !== 1) {
            await client.query('ROLLBACK');
            return false;
          }
          await insertPg(client, chain, child, now);
          await client.query('COMMIT');
          return true;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      },
      async (chain, child, now) => {
        await insertPg(pool, chain, child, now);
      },
      () => pool.end(),
    );
  }

  /** On SQLite, on the app's own better-sqlite3 connection (same file, same pragmas). */
  static sqlite(db: SqliteDatabase): RawRotation {
    const spend = db.prepare(sqlite(SPEND));
    const insert = db.prepare(sqlite(INSERT));
    const insertChild = (chain: Chain, child: Child, now: number): void => {
      insert.run(
        numbered(
          child.id,
          chain.sessionId,
          chain.userId,
          child.hash,
          child.nonce,
          now,
          now + 14 * DAY_MS,
        ),
      );
    };
    const rotate = db.transaction((chain: Chain, child: Child, now: number): boolean => {
      if (spend.run(numbered(now, child.id, hash(chain.token))).changes !== 1) return false;
      insertChild(chain, child, now);
      return true;
    });
    return new RawRotation(
      async (chain, child, now) => rotate.immediate(chain, child, now),
      async (chain, child, now) => insertChild(chain, child, now),
      async () => undefined,
    );
  }

  /** Runs `rotations` chained rotations spread over `clients` concurrent chains. */
  async run(clients: number, rotations: number): Promise<RawRunResult> {
    while (this.chains.length < clients) {
      const chain: Chain = {
        token: '',
        sessionId: randomUUID(),
        userId: `raw-user-${this.chains.length}`,
      };
      const child = newChild();
      await this.insertFirst(chain, child, Date.now());
      chain.token = child.token;
      this.chains.push(chain);
    }
    return runChains(this.chains.slice(0, clients), rotations, async (chain) => {
      const child = newChild();
      if (!(await this.rotateOnce(chain, child, Date.now())))
        throw new Error('raw rotation lost its chain');
      chain.token = child.token;
    });
  }
}

/**
 * Runs `rotations` rotations over the chains, one in flight per chain, and times each.
 * @returns rate and latency percentiles
 */
export async function runChains<C>(
  chains: readonly C[],
  rotations: number,
  rotate: (chain: C) => Promise<void>,
): Promise<RawRunResult> {
  const latencies = new Float64Array(rotations);
  let started = 0;
  let done = 0;
  const begin = performance.now();
  await Promise.all(
    chains.map(async (chain) => {
      while (started < rotations) {
        started += 1;
        const t0 = performance.now();
        await rotate(chain);
        latencies[done++] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - begin) / 1000;
  const sorted = latencies.subarray(0, done).toSorted();
  return {
    rotations: done,
    seconds,
    rps: done / seconds,
    p50: sorted[Math.ceil(0.5 * done) - 1] ?? Number.NaN,
    p99: sorted[Math.ceil(0.99 * done) - 1] ?? Number.NaN,
  };
}
