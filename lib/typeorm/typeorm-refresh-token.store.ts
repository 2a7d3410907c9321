import {
  In,
  IsNull,
  LessThanOrEqual,
  MoreThan,
  type DataSource,
  type EntitySchema,
  type QueryResult,
} from 'typeorm';
import {
  RefreshSessionEntity,
  RefreshTokenEntity,
  type RefreshTokenEntities,
} from './refresh-token.entity.js';
import type {
  RefreshSessionRecord,
  RefreshTokenRecord,
  RefreshTokenStore,
  RefreshTokenWithSession,
  RotateRefreshTokenCommand,
  SessionRevocationReason,
} from '../refresh-token/refresh-token.store.js';
import {
  buildRefreshTokenStatements,
  refreshTokenDialect,
  type RefreshTokenStatements,
} from './refresh-token-statements.js';
import { PostgresStatementRunner } from './postgres-statement-runner.js';
import { sessionsBeyondCap } from '../refresh-token/session-liveness.js';
import {
  configureStoreCalls,
  guardStoreMethods,
  throwIfCallAbandoned,
} from './store-call-guard.js';
import { undoLateRotation } from './undo-late-rotation.js';
import {
  resolveStoreOptions,
  type TypeOrmRefreshTokenStoreOptions,
} from './typeorm-refresh-token-store.options.js';

/** A write of an atomic unit: an UPDATE whose row count may be required, or an INSERT. */
interface Write {
  readonly sql: string;
  readonly parameters: unknown[];
  /** Abort and roll back the whole unit unless exactly one row was affected. */
  readonly requireOne?: boolean;
}

interface BetterSqlite3Statement {
  run(...parameters: unknown[]): { changes: number };
  get(...parameters: unknown[]): unknown;
}

/** The subset of a better-sqlite3 `Database` used for synchronous transactions. */
interface BetterSqlite3Database {
  prepare(sql: string): BetterSqlite3Statement;
  transaction<T>(fn: () => T): { immediate(): T };
}

const ABORTED = Symbol('aborted');
const PRUNE_BATCH = 500;
/** Drivers with one shared connection: TypeORM nests concurrent transactions on it as savepoints. */
const SINGLE_CONNECTION_DRIVERS = new Set([
  'sqlite',
  'sqljs',
  'capacitor',
  'cordova',
  'expo',
  'react-native',
  'nativescript',
]);

/**
 * The {@link RefreshTokenStore} on a TypeORM DataSource (SQLite via better-sqlite3, PostgreSQL,
 * MariaDB/MySQL) holding the shipped entities.
 *
 * Race-freedom comes from row locks, not from isolation levels: each atomic unit first updates
 * the session row where it is still live (PostgreSQL and InnoDB lock the row and re-check the
 * condition against the latest committed version), so a rotation and a revocation of the same
 * session run one after the other, and a rotation that comes second matches no row. With
 * better-sqlite3 each unit runs synchronously in one `BEGIN IMMEDIATE` transaction, because
 * TypeORM shares a single connection there and would turn concurrent transactions into
 * nested savepoints.
 *
 * The hot path is cheap: a lookup is one joined SELECT, and a rotation is one statement on
 * PostgreSQL (data-modifying CTEs, see refresh-token-statements.ts) or one transaction of three
 * on MariaDB/MySQL and SQLite. SQL is built once per DataSource; PostgreSQL runs it as named
 * prepared statements, better-sqlite3 as statements prepared once per connection.
 *
 * @example
 * const store = new TypeOrmRefreshTokenStore(dataSource);
 * // with custom table names:
 * const entities = createRefreshTokenEntities({ tokensTable: 'rt', sessionsTable: 'rs' });
 * const custom = new TypeOrmRefreshTokenStore(dataSource, { entities, timeout: 3000 });
 *
 * Every method fails with `StoreUnavailableError` (`ERR_AUTH_STORE_UNAVAILABLE`, HTTP 503)
 * when the database is unreachable, drops the connection or takes longer than `timeout`
 * (store-call-guard.ts, store-unavailable.ts); a failed call changes nothing.
 */
export class TypeOrmRefreshTokenStore implements RefreshTokenStore {
  private readonly tokenSchema: EntitySchema<RefreshTokenRecord>;
  private readonly sessionSchema: EntitySchema<RefreshSessionRecord>;
  private queue: Promise<unknown> = Promise.resolve();
  private built: RefreshTokenStatements | null = null;
  private readonly postgres: PostgresStatementRunner | null;
  private sqlite: {
    readonly db: BetterSqlite3Database;
    readonly statements: Map<string, BetterSqlite3Statement>;
  } | null = null;

  /**
   * @param dataSource a DataSource whose `entities` include the two schemas
   * @param options `{ entities, timeout }`, or the schemas alone (custom table names)
   * @throws {TypeError} when the DataSource is not PostgreSQL, MariaDB/MySQL or SQLite
   */
  constructor(
    private readonly dataSource: DataSource,
    options?: RefreshTokenEntities | TypeOrmRefreshTokenStoreOptions,
  ) {
    const { entities, timeout } = resolveStoreOptions(options, {
      RefreshTokenEntity,
      RefreshSessionEntity,
    });
    this.tokenSchema = entities.RefreshTokenEntity;
    this.sessionSchema = entities.RefreshSessionEntity;
    configureStoreCalls(this, {
      timeout,
      onLateResult: async (method, args, result) => {
        if (method === 'rotate' && result === true)
          await undoLateRotation(
            dataSource,
            this.tokenSchema,
            args[0] as RotateRefreshTokenCommand,
          );
      },
    });
    this.postgres =
      refreshTokenDialect(dataSource.options.type) === 'postgres'
        ? new PostgresStatementRunner(dataSource)
        : null;
  }

  async createSession(
    session: RefreshSessionRecord,
    firstToken: RefreshTokenRecord,
  ): Promise<void> {
    const { insertSession, insertToken } = this.statements;
    await this.atomically([
      { sql: insertSession.text, parameters: insertSession.bind({ session }) },
      { sql: insertToken.text, parameters: insertToken.bind({ token: firstToken }) },
    ]);
  }

  async findTokenByHash(tokenHash: string): Promise<RefreshTokenWithSession | null> {
    const { findTokenByHash } = this.statements;
    const found = await this.findOne(findTokenByHash.text, findTokenByHash.bind({ tokenHash }));
    return found?.token.tokenHash === tokenHash ? found : null;
  }

  async findToken(tokenId: string): Promise<RefreshTokenWithSession | null> {
    const { findToken } = this.statements;
    const found = await this.findOne(findToken.text, findToken.bind({ id: tokenId }));
    return found?.token.id === tokenId ? found : null;
  }

  async findSession(sessionId: string): Promise<RefreshSessionRecord | null> {
    const found = await this.dataSource.manager.findOneBy(this.sessionSchema, { id: sessionId });
    // Exact, even on a column whose collation ignores case or trailing spaces (tables created
    // by `synchronize` on MariaDB's default utf8mb4_general_ci).
    return found?.id === sessionId ? found : null;
  }

  async rotate(command: RotateRefreshTokenCommand): Promise<boolean> {
    const { rotate, touchSession, spendToken, insertChild } = this.statements;
    if (rotate !== null && this.postgres !== null) {
      return (await this.postgres.rows(rotate.text, rotate.bind(command))).length === 1;
    }
    const result = await this.atomically([
      // The lock: taken first, in the same order as revokeSession, so the two never deadlock.
      { sql: touchSession.text, parameters: touchSession.bind(command), requireOne: true },
      { sql: spendToken.text, parameters: spendToken.bind(command), requireOne: true },
      { sql: insertChild.text, parameters: insertChild.bind(command) },
    ]);
    return result !== ABORTED;
  }

  async revokeSession(
    sessionId: string,
    reason: SessionRevocationReason,
    now: number,
  ): Promise<boolean> {
    const { revokeSession, revokeTokens } = this.statements;
    const values = { sessionId, reason, now };
    const result = await this.atomically([
      { sql: revokeSession.text, parameters: revokeSession.bind(values), requireOne: true },
      { sql: revokeTokens.text, parameters: revokeTokens.bind(values) },
    ]);
    return result !== ABORTED;
  }

  async revokeUserSessions(
    userId: string,
    reason: SessionRevocationReason,
    now: number,
    exceptSessionId?: string,
  ): Promise<string[]> {
    // Every unrevoked session, expired or not by this clock: another instance may be behind.
    const unrevoked = await this.dataSource.manager.find(this.sessionSchema, {
      select: { id: true, userId: true },
      where: { userId, revokedAt: IsNull() },
    });
    const ids = unrevoked
      .filter((session) => session.userId === userId && session.id !== exceptSessionId)
      .map((session) => session.id);
    return this.revokeEach(ids, reason, now);
  }

  async listLiveSessions(userId: string, now: number): Promise<RefreshSessionRecord[]> {
    const live = await this.dataSource.manager.find(this.sessionSchema, {
      where: {
        userId,
        revokedAt: IsNull(),
        expiresAt: MoreThan(now),
        idleExpiresAt: MoreThan(now),
      },
      order: { lastUsedAt: 'DESC', createdAt: 'DESC', id: 'ASC' },
    });
    return live.filter((session) => session.userId === userId);
  }

  async enforceSessionCap(userId: string, max: number, now: number): Promise<string[]> {
    const live = await this.dataSource.manager.find(this.sessionSchema, {
      select: { id: true, userId: true, createdAt: true },
      where: {
        userId,
        revokedAt: IsNull(),
        expiresAt: MoreThan(now),
        idleExpiresAt: MoreThan(now),
      },
    });
    // Ranked here rather than by ORDER BY: the tie-break on id must be the same code-unit
    // order on every database, whatever its collation.
    const newestFirst = live
      .filter((session) => session.userId === userId)
      .toSorted((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((session) => session.id);
    return this.revokeEach(sessionsBeyondCap(newestFirst, max), 'session_limit', now);
  }

  async prune(now: number, revokedBefore: number): Promise<number> {
    const manager = this.dataSource.manager;
    let deleted = 0;
    // Plain reads, then deletes by id in batches, tokens before sessions: no statement holds
    // locks on one table while waiting for the other, so pruning cannot deadlock a rotation.
    for (;;) {
      const batch = await manager.find(this.sessionSchema, {
        select: { id: true },
        where: [
          { expiresAt: LessThanOrEqual(now) },
          { idleExpiresAt: LessThanOrEqual(now) },
          { revokedAt: LessThanOrEqual(revokedBefore) },
        ],
        take: PRUNE_BATCH,
      });
      if (batch.length === 0) return deleted;
      const ids = batch.map((session) => session.id);
      await manager.delete(this.tokenSchema, { sessionId: In(ids) });
      const affected = (await manager.delete(this.sessionSchema, { id: In(ids) })).affected ?? 0;
      deleted += affected;
      if (affected === 0 || batch.length < PRUNE_BATCH) return deleted;
    }
  }

  private async revokeEach(
    ids: readonly string[],
    reason: SessionRevocationReason,
    now: number,
  ): Promise<string[]> {
    const revoked: string[] = [];
    for (const id of ids) {
      if (await this.revokeSession(id, reason, now)) revoked.push(id);
    }
    return revoked;
  }

  /** Built on first use: the DataSource's metadata exists only once it is initialized. */
  private get statements(): RefreshTokenStatements {
    this.built ??= buildRefreshTokenStatements(
      this.dataSource,
      this.tokenSchema,
      this.sessionSchema,
    );
    return this.built;
  }

  private async findOne(
    sql: string,
    parameters: unknown[],
  ): Promise<RefreshTokenWithSession | null> {
    const row =
      this.postgres !== null
        ? (await this.postgres.rows(sql, parameters))[0]
        : this.dataSource.options.type === 'better-sqlite3'
          ? this.sqliteStatement(sql).get(...parameters)
          : ((await this.dataSource.query(sql, parameters)) as unknown[])[0];
    return row ? this.statements.toTokenWithSession(row as Record<string, unknown>) : null;
  }

  /** Prepared once per connection: better-sqlite3 statements belong to their connection. */
  private sqliteStatement(sql: string): BetterSqlite3Statement {
    const db = (this.dataSource.driver as unknown as { databaseConnection: BetterSqlite3Database })
      .databaseConnection;
    if (this.sqlite?.db !== db) this.sqlite = { db, statements: new Map() };
    let statement = this.sqlite.statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      this.sqlite.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs the writes in one transaction; returns ABORTED (rolled back) when a required update missed. */
  private async atomically(writes: readonly Write[]): Promise<typeof ABORTED | undefined> {
    const type = this.dataSource.options.type;
    if (type === 'better-sqlite3') return this.atomicallySync(writes);
    if (SINGLE_CONNECTION_DRIVERS.has(type)) {
      const run = this.queue.then(() => this.atomicallyAsync(writes));
      this.queue = run.catch(() => undefined);
      return run;
    }
    return this.atomicallyAsync(writes);
  }

  private async atomicallyAsync(writes: readonly Write[]): Promise<typeof ABORTED | undefined> {
    const runner = this.dataSource.createQueryRunner('master');
    try {
      await runner.startTransaction();
      for (const write of writes) {
        throwIfCallAbandoned();
        const { affected } = (await runner.query(write.sql, write.parameters, true)) as QueryResult;
        if (write.requireOne) {
          // pg reports rowCount, mysql2 affectedRows (matched rows: FOUND_ROWS is a default flag).
          if (typeof affected !== 'number') {
            throw new Error(`${this.dataSource.options.type} did not report affected rows`);
          }
          if (affected !== 1) {
            await runner.rollbackTransaction();
            return ABORTED;
          }
        }
      }
      throwIfCallAbandoned();
      await runner.commitTransaction();
      return undefined;
    } catch (error) {
      if (runner.isTransactionActive) {
        // The original error matters more than a failed rollback; the pool discards the link.
        await runner.rollbackTransaction().catch(() => undefined);
      }
      throw error;
    } finally {
      await runner.release();
    }
  }

  private atomicallySync(writes: readonly Write[]): typeof ABORTED | undefined {
    // Prepared up front, so that nothing may interleave once BEGIN ran.
    const statements = writes.map((write) => this.sqliteStatement(write.sql));
    const db = (this.dataSource.driver as unknown as { databaseConnection: BetterSqlite3Database })
      .databaseConnection;
    const unit = db.transaction(() => {
      writes.forEach((write, index) => {
        const { changes } = statements[index]!.run(...write.parameters);
        if (write.requireOne && changes !== 1) throw ABORTED;
      });
    });
    try {
      unit.immediate();
      return undefined;
    } catch (error) {
      if (error === ABORTED) return ABORTED;
      throw error;
    }
  }
}

// The one choke point for driver errors and time limits: every public method, none left out.
const STORE_METHODS: Record<keyof RefreshTokenStore, true> = {
  createSession: true,
  findTokenByHash: true,
  findToken: true,
  findSession: true,
  rotate: true,
  revokeSession: true,
  revokeUserSessions: true,
  listLiveSessions: true,
  enforceSessionCap: true,
  prune: true,
};
guardStoreMethods(
  TypeOrmRefreshTokenStore.prototype,
  Object.keys(STORE_METHODS) as (keyof RefreshTokenStore)[],
);
