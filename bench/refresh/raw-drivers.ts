import { createRequire } from 'node:module';

// Minimal typings of the two drivers (the repository installs no @types for them).

/**
 * Binds values to `?1`, `?2`… parameters: better-sqlite3 takes numbered parameters only as an
 * object keyed by number, never as a positional list.
 */
export function numbered(...values: readonly unknown[]): Record<number, unknown> {
  return Object.fromEntries(values.map((value, index) => [index + 1, value]));
}

/** A prepared better-sqlite3 statement. */
export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number };
  get(...parameters: unknown[]): unknown;
}

/** The better-sqlite3 `Database` methods the benchmark uses. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  transaction<A extends unknown[], T>(fn: (...args: A) => T): { immediate(...args: A): T };
}

/** A pg query result. */
export interface PgResult {
  readonly rowCount: number | null;
  readonly rows: Record<string, unknown>[];
}

/** A pg client checked out of a pool, or a standalone client. */
export interface PgClient {
  query(sql: string, parameters?: readonly unknown[]): Promise<PgResult>;
  release?(): void;
}

/** A pg pool. */
export interface PgPool {
  connect(): Promise<PgClient & { release(): void }>;
  query(sql: string, parameters?: readonly unknown[]): Promise<PgResult>;
  end(): Promise<void>;
}

interface PgModule {
  Pool: new (config: { connectionString: string; max?: number; options?: string }) => PgPool;
  Client: new (config: { connectionString: string }) => PgClient & {
    connect(): Promise<void>;
    end(): Promise<void>;
  };
}

/** The `pg` package. */
export const pg = createRequire(import.meta.url)('pg') as PgModule;
