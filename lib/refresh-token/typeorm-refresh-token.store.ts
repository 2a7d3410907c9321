import {
  In,
  IsNull,
  LessThanOrEqual,
  MoreThan,
  type DataSource,
  type EntityManager,
  type EntitySchema,
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
} from './refresh-token.store.js';
import { sessionsBeyondCap } from './session-liveness.js';

/** A write of an atomic unit: an UPDATE whose row count may be required, or an INSERT. */
interface Step {
  build(manager: EntityManager): {
    execute(): Promise<object>;
    getQueryAndParameters(): [string, unknown[]];
  };
  /** Abort and roll back the whole unit unless exactly one row was affected. */
  readonly requireOne?: boolean;
}

/** The subset of a better-sqlite3 `Database` used for synchronous transactions. */
interface BetterSqlite3Database {
  prepare(sql: string): { run(...parameters: unknown[]): { changes: number } };
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
 * @example
 * const store = new TypeOrmRefreshTokenStore(dataSource);
 * // with custom table names:
 * const entities = createRefreshTokenEntities({ tokensTable: 'rt', sessionsTable: 'rs' });
 * const custom = new TypeOrmRefreshTokenStore(dataSource, entities);
 */
export class TypeOrmRefreshTokenStore implements RefreshTokenStore {
  private readonly tokenSchema: EntitySchema<RefreshTokenRecord>;
  private readonly sessionSchema: EntitySchema<RefreshSessionRecord>;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param dataSource a DataSource whose `entities` include the two schemas
   * @param entities the schemas, when created with custom table names
   */
  constructor(
    private readonly dataSource: DataSource,
    entities: RefreshTokenEntities = { RefreshTokenEntity, RefreshSessionEntity },
  ) {
    this.tokenSchema = entities.RefreshTokenEntity;
    this.sessionSchema = entities.RefreshSessionEntity;
  }

  async createSession(
    session: RefreshSessionRecord,
    firstToken: RefreshTokenRecord,
  ): Promise<void> {
    await this.atomically([
      { build: (m) => m.createQueryBuilder().insert().into(this.sessionSchema).values(session) },
      { build: (m) => m.createQueryBuilder().insert().into(this.tokenSchema).values(firstToken) },
    ]);
  }

  async findTokenByHash(tokenHash: string): Promise<RefreshTokenWithSession | null> {
    return this.withSession(
      await this.dataSource.manager.findOneBy(this.tokenSchema, { tokenHash }),
    );
  }

  async findToken(tokenId: string): Promise<RefreshTokenWithSession | null> {
    return this.withSession(
      await this.dataSource.manager.findOneBy(this.tokenSchema, { id: tokenId }),
    );
  }

  async findSession(sessionId: string): Promise<RefreshSessionRecord | null> {
    return this.dataSource.manager.findOneBy(this.sessionSchema, { id: sessionId });
  }

  async rotate({ parentId, sessionId, now, child }: RotateRefreshTokenCommand): Promise<boolean> {
    const result = await this.atomically([
      {
        // The lock: taken first, in the same order as revokeSession, so the two never deadlock.
        build: (m) =>
          m
            .createQueryBuilder()
            .update(this.sessionSchema)
            .set({
              lastUsedAt: now,
              idleExpiresAt: child.idleExpiresAt,
              userAgent: child.userAgent,
              ip: child.ip,
            })
            .where({
              id: sessionId,
              revokedAt: IsNull(),
              expiresAt: MoreThan(now),
              idleExpiresAt: MoreThan(now),
            }),
        requireOne: true,
      },
      {
        build: (m) =>
          m
            .createQueryBuilder()
            .update(this.tokenSchema)
            .set({ spentAt: now, lastUsedAt: now, successorId: child.id })
            .where({ id: parentId, sessionId, spentAt: IsNull(), revokedAt: IsNull() }),
        requireOne: true,
      },
      { build: (m) => m.createQueryBuilder().insert().into(this.tokenSchema).values(child) },
    ]);
    return result !== ABORTED;
  }

  async revokeSession(
    sessionId: string,
    reason: SessionRevocationReason,
    now: number,
  ): Promise<boolean> {
    const result = await this.atomically([
      {
        build: (m) =>
          m
            .createQueryBuilder()
            .update(this.sessionSchema)
            .set({ revokedAt: now, revokedReason: reason })
            .where({ id: sessionId, revokedAt: IsNull() }),
        requireOne: true,
      },
      {
        build: (m) =>
          m
            .createQueryBuilder()
            .update(this.tokenSchema)
            .set({ revokedAt: now, revokedReason: reason })
            .where({ sessionId, revokedAt: IsNull() }),
      },
    ]);
    return result !== ABORTED;
  }

  async revokeUserSessions(
    userId: string,
    reason: SessionRevocationReason,
    now: number,
    exceptSessionId?: string,
  ): Promise<string[]> {
    const ids = (await this.listLiveSessions(userId, now))
      .map((session) => session.id)
      .filter((id) => id !== exceptSessionId);
    return this.revokeEach(ids, reason, now);
  }

  async listLiveSessions(userId: string, now: number): Promise<RefreshSessionRecord[]> {
    return this.dataSource.manager.find(this.sessionSchema, {
      where: {
        userId,
        revokedAt: IsNull(),
        expiresAt: MoreThan(now),
        idleExpiresAt: MoreThan(now),
      },
      order: { lastUsedAt: 'DESC', createdAt: 'DESC', id: 'ASC' },
    });
  }

  async enforceSessionCap(
    userId: string,
    max: number,
    now: number,
    keepSessionId?: string,
  ): Promise<string[]> {
    const live = await this.dataSource.manager.find(this.sessionSchema, {
      select: { id: true },
      where: {
        userId,
        revokedAt: IsNull(),
        expiresAt: MoreThan(now),
        idleExpiresAt: MoreThan(now),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return this.revokeEach(
      sessionsBeyondCap(
        live.map((session) => session.id),
        max,
        keepSessionId,
      ),
      'session_limit',
      now,
    );
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

  private async withSession(
    token: RefreshTokenRecord | null,
  ): Promise<RefreshTokenWithSession | null> {
    if (!token) return null;
    const session = await this.findSession(token.sessionId);
    return session ? { token, session } : null;
  }

  /** Runs the steps in one transaction; returns ABORTED (rolled back) when a required update missed. */
  private async atomically(steps: readonly Step[]): Promise<typeof ABORTED | undefined> {
    const type = this.dataSource.options.type;
    if (type === 'better-sqlite3') return this.atomicallySync(steps);
    if (SINGLE_CONNECTION_DRIVERS.has(type)) {
      const run = this.queue.then(() => this.atomicallyAsync(steps));
      this.queue = run.catch(() => undefined);
      return run;
    }
    return this.atomicallyAsync(steps);
  }

  private async atomicallyAsync(steps: readonly Step[]): Promise<typeof ABORTED | undefined> {
    try {
      await this.dataSource.transaction(async (manager) => {
        for (const step of steps) {
          const { affected } = (await step.build(manager).execute()) as {
            affected?: number | null;
          };
          if (step.requireOne) {
            // pg reports rowCount, mysql2 affectedRows (matched rows: FOUND_ROWS is a default flag).
            if (typeof affected !== 'number') {
              throw new Error(`${this.dataSource.options.type} did not report affected rows`);
            }
            if (affected !== 1) throw ABORTED;
          }
        }
      });
      return undefined;
    } catch (error) {
      if (error === ABORTED) return ABORTED;
      throw error;
    }
  }

  private atomicallySync(steps: readonly Step[]): typeof ABORTED | undefined {
    // Built up front: query building is synchronous, and nothing may interleave once BEGIN ran.
    const queries = steps.map((step) => ({
      query: step.build(this.dataSource.manager).getQueryAndParameters(),
      step,
    }));
    const db = (this.dataSource.driver as unknown as { databaseConnection: BetterSqlite3Database })
      .databaseConnection;
    const unit = db.transaction(() => {
      for (const {
        query: [sql, parameters],
        step,
      } of queries) {
        const { changes } = db.prepare(sql).run(...parameters);
        if (step.requireOne && changes !== 1) throw ABORTED;
      }
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
