import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource, type DataSourceOptions, type Logger } from 'typeorm';
import {
  RefreshSessions,
  type RefreshSessionsConfig,
} from '../../../lib/refresh-token/refresh-sessions.js';
import type { RefreshTokenReuseEvent } from '../../../lib/refresh-token/refresh-token-reuse.event.js';
import {
  createRefreshTokenEntities,
  RefreshSessionEntity,
  RefreshTokenEntity,
} from '../../../lib/typeorm/refresh-token.entity.js';
import {
  createRefreshTokenMigrations,
  REFRESH_TOKEN_MIGRATIONS,
} from '../../../lib/typeorm/refresh-token.migrations.js';
import type {
  RefreshSessionRecord,
  RefreshTokenRecord,
} from '../../../lib/refresh-token/refresh-token.store.js';
import { TypeOrmRefreshTokenStore } from '../../../lib/typeorm/typeorm-refresh-token.store.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { refreshOptions } from '../../support/refresh-options.js';

/** How a database-specific spec file provides an isolated, empty database. */
export interface IsolatedDatabase {
  /** Connection options for an empty schema/database of its own (entities and migrations are added). */
  readonly options: DataSourceOptions;
  /** Drops the schema/database. */
  readonly drop: () => Promise<void>;
}

/** What a database-specific spec file expects beyond the shared behaviour. */
export interface SuiteExpectations {
  /**
   * First word of each statement a rotation sends through TypeORM's logger, in order (the
   * better-sqlite3 path runs on the driver directly and logs nothing).
   */
  readonly rotationQueries: readonly string[];
  /**
   * Collation the migrations give the id, user id, hash and nonce columns (MariaDB/MySQL), or
   * `null` where they leave the database's own.
   */
  readonly exactCollation: string | null;
}

const ignore = (): void => undefined;

/** A TypeORM logger that records the queries. */
function recordingLogger(queries: string[]): Logger {
  return {
    logQuery: (query) => {
      queries.push(query);
    },
    logQueryError: ignore,
    logQuerySlow: ignore,
    logSchemaBuild: ignore,
    logMigration: ignore,
    log: ignore,
  };
}

/**
 * The TypeORM store against one database: migrations, timestamp round-trip, the session rules,
 * and the concurrency guarantees (one successor per token, revocation beats rotation).
 */
export function defineTypeOrmRefreshTokenSuite(
  createDatabase: () => Promise<IsolatedDatabase>,
  expectations: SuiteExpectations,
): void {
  let database: IsolatedDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createDatabase();
    dataSource = new DataSource({
      ...database.options,
      entities: [RefreshTokenEntity, RefreshSessionEntity],
      migrations: REFRESH_TOKEN_MIGRATIONS,
      migrationsTableName: 'auth_migrations',
    } as DataSourceOptions);
    await dataSource.initialize();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  function sessionsWith(overrides: Partial<RefreshSessionsConfig> = {}, clock = new FixedClock()) {
    const events: RefreshTokenReuseEvent[] = [];
    const sessions = new RefreshSessions(
      new TypeOrmRefreshTokenStore(dataSource),
      refreshOptions(overrides),
      clock,
      {
        onReuse: (event) => {
          events.push(event);
        },
      },
    );
    const refresh = (token: string) =>
      sessions.rotate(token, {}, async (session) => session.userId);
    return { sessions, refresh, events, clock };
  }

  const tokensOf = (sessionId: string) =>
    dataSource.manager.findBy(RefreshTokenEntity, { sessionId });
  const sessionRow = (id: string) =>
    dataSource.manager.findOneByOrFail(RefreshSessionEntity, { id });

  describe('migrations', () => {
    it('create both tables with their indexes on an empty database', async () => {
      expect(await dataSource.runMigrations()).toHaveLength(REFRESH_TOKEN_MIGRATIONS.length);
      const runner = dataSource.createQueryRunner();
      try {
        const tokens = await runner.getTable('auth_refresh_tokens');
        const sessions = await runner.getTable('auth_sessions');
        expect(tokens?.columns.map((c) => c.name)).toContain('token_hash');
        expect(sessions?.columns.map((c) => c.name)).toContain('revoked_reason');
        const hashIndex = tokens?.indices.find(
          (index) => index.columnNames.join() === 'token_hash',
        );
        expect(hashIndex?.isUnique).toBe(true);
        for (const column of ['user_id', 'session_id', 'expires_at']) {
          expect(tokens?.indices.some((index) => index.columnNames.join() === column)).toBe(true);
        }
        for (const column of ['user_id', 'expires_at']) {
          expect(sessions?.indices.some((index) => index.columnNames.join() === column)).toBe(true);
        }
      } finally {
        await runner.release();
      }
    });

    it('are a no-op when run again, through the migrations table or directly', async () => {
      expect(await dataSource.runMigrations()).toEqual([]);
      const runner = dataSource.createQueryRunner();
      try {
        for (const Migration of REFRESH_TOKEN_MIGRATIONS) await new Migration().up(runner);
      } finally {
        await runner.release();
      }
      expect(await dataSource.showMigrations()).toBe(false);
    });

    it('leave the database exactly as the entities describe it', async () => {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    });

    it('can be reverted and re-applied', async () => {
      for (const _ of REFRESH_TOKEN_MIGRATIONS) await dataSource.undoLastMigration();
      const runner = dataSource.createQueryRunner();
      try {
        expect(await runner.hasTable('auth_refresh_tokens')).toBe(false);
        expect(await runner.hasTable('auth_sessions')).toBe(false);
      } finally {
        await runner.release();
      }
      expect(await dataSource.runMigrations()).toHaveLength(REFRESH_TOKEN_MIGRATIONS.length);
    });

    it('work with custom table names', async () => {
      const names = { tokensTable: 'custom_rt', sessionsTable: 'custom_rs' };
      const entities = createRefreshTokenEntities(names);
      const custom = new DataSource({
        ...database.options,
        entities: [entities.RefreshTokenEntity, entities.RefreshSessionEntity],
        migrations: createRefreshTokenMigrations(names),
        migrationsTableName: 'custom_migrations',
      } as DataSourceOptions);
      await custom.initialize();
      try {
        await custom.runMigrations();
        const sessions = new RefreshSessions(
          new TypeOrmRefreshTokenStore(custom, entities),
          refreshOptions(),
          new FixedClock(),
        );
        const opened = await sessions.open('u1');
        const rotated = await sessions.rotate(opened.refreshToken, {}, async () => true);
        expect(
          await custom.manager.countBy(entities.RefreshTokenEntity, {
            sessionId: rotated.session.id,
          }),
        ).toBe(2);
        for (const _ of REFRESH_TOKEN_MIGRATIONS) await custom.undoLastMigration();
      } finally {
        await custom.destroy();
      }
    });
  });

  describe('exact comparison on the database as the server created it', () => {
    const { exactCollation } = expectations;
    const exactColumns = [
      'auth_sessions.id',
      'auth_sessions.user_id',
      'auth_refresh_tokens.id',
      'auth_refresh_tokens.session_id',
      'auth_refresh_tokens.user_id',
      'auth_refresh_tokens.token_hash',
      'auth_refresh_tokens.nonce',
      'auth_refresh_tokens.parent_id',
      'auth_refresh_tokens.successor_id',
    ];

    async function collations(
      source: DataSource,
      tables: Readonly<Record<string, string>> = {},
    ): Promise<string[]> {
      const runner = source.createQueryRunner();
      try {
        const found: string[] = [];
        for (const path of exactColumns) {
          const [name, column] = path.split('.') as [string, string];
          const table = tables[name] ?? name;
          const meta = (await runner.getTable(table))?.findColumnByName(column);
          found.push(`${path}:${meta?.collation ?? 'default'}`);
        }
        return found;
      } finally {
        await runner.release();
      }
    }

    it(`gives ids, user ids and hashes the collation ${exactCollation ?? 'of the database'}`, async () => {
      expect(await collations(dataSource)).toEqual(
        exactColumns.map((path) => `${path}:${exactCollation ?? 'default'}`),
      );
    });

    it('fixes a database migrated by the first migration alone', async () => {
      const names = { tokensTable: 'old_rt', sessionsTable: 'old_rs' };
      const entities = createRefreshTokenEntities(names);
      const [first, second] = createRefreshTokenMigrations(names);
      const open = async (migrations: (typeof first)[]) => {
        const source = new DataSource({
          ...database.options,
          entities: [entities.RefreshTokenEntity, entities.RefreshSessionEntity],
          migrations,
          migrationsTableName: 'old_migrations',
        } as DataSourceOptions);
        await source.initialize();
        return source;
      };
      const old = await open([first!]);
      try {
        expect(await old.runMigrations()).toHaveLength(1);
        const sessions = new RefreshSessions(
          new TypeOrmRefreshTokenStore(old, entities),
          refreshOptions(),
          new FixedClock(),
        );
        await sessions.open('alice');
        await sessions.open('Alice');
      } finally {
        await old.destroy();
      }
      const upgraded = await open([first!, second!]);
      try {
        expect((await upgraded.runMigrations()).map((m) => m.name)).toEqual([
          'ExactAuthRefreshTokenIds1764400000001',
        ]);
        expect(
          await collations(upgraded, { auth_sessions: 'old_rs', auth_refresh_tokens: 'old_rt' }),
        ).toEqual(exactColumns.map((path) => `${path}:${exactCollation ?? 'default'}`));
        const pending = await upgraded.driver.createSchemaBuilder().log();
        expect(pending.upQueries.map((query) => query.query)).toEqual([]);
        // What the database itself now finds for 'alice': one session, not two.
        const matches = await upgraded.manager.countBy(entities.RefreshSessionEntity, {
          userId: 'alice',
        });
        expect(matches).toBe(1);
        for (const _ of [first, second]) await upgraded.undoLastMigration();
      } finally {
        await upgraded.destroy();
      }
    });
  });

  describe('storage', () => {
    it('round-trips timestamps to the millisecond', async () => {
      const store = new TypeOrmRefreshTokenStore(dataSource);
      const t = Date.UTC(2038, 0, 19, 3, 14, 8, 123);
      const session: RefreshSessionRecord = {
        id: '00000000-0000-4000-8000-000000000001',
        userId: 'round-trip',
        createdAt: 1,
        lastUsedAt: t,
        expiresAt: 8_640_000_000_000_000,
        idleExpiresAt: t + 999,
        authTime: 0,
        userAgent: 'ü-agent ✓',
        ip: '2001:db8::1',
        revokedAt: null,
        revokedReason: null,
      };
      const token: RefreshTokenRecord = {
        id: '00000000-0000-4000-8000-000000000002',
        sessionId: session.id,
        userId: session.userId,
        tokenHash: 'a'.repeat(64),
        nonce: 'b'.repeat(43),
        parentId: null,
        successorId: null,
        createdAt: t - 1,
        spentAt: null,
        lastUsedAt: null,
        expiresAt: session.expiresAt,
        idleExpiresAt: session.idleExpiresAt,
        revokedAt: null,
        revokedReason: null,
        userAgent: null,
        ip: null,
        authTime: 1_700_000_000_123,
      };
      await store.createSession(session, token);
      expect(await store.findTokenByHash(token.tokenHash)).toEqual({ token, session });
      await store.revokeSession(session.id, 'logout', t + 1);
      expect(await store.findToken(token.id)).toMatchObject({
        token: { revokedAt: t + 1, revokedReason: 'logout' },
        session: { revokedAt: t + 1, revokedReason: 'logout' },
      });
    });

    it('keeps only the hash and the nonce of a token', async () => {
      const { sessions } = sessionsWith();
      const opened = await sessions.open('hash-only');
      const rows: unknown = await dataSource
        .createQueryBuilder()
        .select('*')
        .from(RefreshTokenEntity, 't')
        .where('t.sessionId = :id', { id: opened.session.id })
        .getRawMany();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(opened.refreshToken);
    });
  });

  describe('rotation', () => {
    it('changes nothing when the parent is already spent or the session revoked', async () => {
      const store = new TypeOrmRefreshTokenStore(dataSource);
      const { sessions, refresh, clock } = sessionsWith();
      const opened = await sessions.open('loser', { userAgent: 'first', ip: '10.0.0.1' });
      await refresh(opened.refreshToken);
      const [parent] = (await tokensOf(opened.session.id)).filter((t) => t.parentId === null);
      const before = await sessionRow(opened.session.id);
      clock.advance(60);
      const child = {
        ...parent!,
        id: '00000000-0000-4000-8000-0000000000aa',
        tokenHash: 'c'.repeat(64),
        parentId: parent!.id,
        createdAt: clock.now(),
        idleExpiresAt: before.idleExpiresAt + 60_000,
        userAgent: 'loser',
        ip: '10.9.9.9',
      };
      const command = {
        parentId: parent!.id,
        sessionId: opened.session.id,
        now: clock.now(),
        child,
      };
      expect(await store.rotate(command)).toBe(false);
      expect(await sessionRow(opened.session.id)).toEqual(before);
      expect(await tokensOf(opened.session.id)).toHaveLength(2);

      const fresh = await sessions.open('loser');
      const [current] = await tokensOf(fresh.session.id);
      await store.revokeSession(fresh.session.id, 'logout', clock.now());
      const revoked = await sessionRow(fresh.session.id);
      expect(
        await store.rotate({
          parentId: current!.id,
          sessionId: fresh.session.id,
          now: clock.now(),
          child: { ...child, sessionId: fresh.session.id, parentId: current!.id },
        }),
      ).toBe(false);
      expect(await sessionRow(fresh.session.id)).toEqual(revoked);
      expect(await tokensOf(fresh.session.id)).toEqual([
        expect.objectContaining({ id: current!.id, spentAt: null, successorId: null }),
      ]);
    });

    const { rotationQueries } = expectations;
    it(`sends [${rotationQueries.join(', ')}] through TypeORM per rotation`, async () => {
      const queries: string[] = [];
      const logged = new DataSource({
        ...database.options,
        entities: [RefreshTokenEntity, RefreshSessionEntity],
        logger: recordingLogger(queries),
      } as DataSourceOptions);
      await logged.initialize();
      try {
        const sessions = new RefreshSessions(
          new TypeOrmRefreshTokenStore(logged),
          refreshOptions(),
          new FixedClock(),
        );
        const opened = await sessions.open('counted');
        queries.length = 0;
        await sessions.rotate(opened.refreshToken, {}, async () => true);
        expect(queries.map((query) => query.trimStart().split(/\s/, 1)[0])).toEqual(
          rotationQueries,
        );
      } finally {
        await logged.destroy();
      }
    });
  });
}
