import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type {
  RefreshSessionRecord,
  RefreshTokenRecord,
  RotateRefreshTokenCommand,
} from '../../../lib/refresh-token/refresh-token.store.js';
import {
  REFRESH_TOKEN_MIGRATIONS,
  RefreshSessionEntity,
  RefreshTokenEntity,
  TypeOrmRefreshTokenStore,
} from '../../../lib/typeorm/index.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

/** How a database-specific spec file reaches an empty database, directly and through a proxy. */
export interface OutageDatabase {
  /** Options for the store's DataSource; `port` is the proxy's. */
  readonly options: (port: number) => DataSourceOptions;
  /** Where the proxy forwards to. */
  readonly host: string;
  readonly port: number;
  /** A DataSource straight to the database (no proxy), for checking what was written. */
  readonly direct: DataSource;
  readonly drop: () => Promise<void>;
}

/** The store's time limit in these tests, milliseconds. */
const TIMEOUT = 1000;
/** Time for calls abandoned at their timeout to reach the database once it answers again. */
const SETTLE = 2000;
const HOUR = 3_600_000;

function session(now: number): RefreshSessionRecord {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + HOUR,
    idleExpiresAt: now + HOUR,
    authTime: now,
    userAgent: null,
    ip: null,
    revokedAt: null,
    revokedReason: null,
  };
}

function token(
  owner: RefreshSessionRecord,
  now: number,
  parentId: string | null = null,
): RefreshTokenRecord {
  return {
    id: randomUUID(),
    sessionId: owner.id,
    userId: owner.userId,
    tokenHash: randomUUID().replaceAll('-', '').repeat(2),
    nonce: randomUUID(),
    parentId,
    successorId: null,
    createdAt: now,
    spentAt: null,
    lastUsedAt: null,
    expiresAt: owner.expiresAt,
    idleExpiresAt: owner.idleExpiresAt,
    revokedAt: null,
    revokedReason: null,
    userAgent: null,
    ip: null,
    authTime: now,
  };
}

async function failure(promise: Promise<unknown>): Promise<{ code: unknown; ms: number }> {
  const started = performance.now();
  try {
    await promise;
    return { code: 'resolved', ms: performance.now() - started };
  } catch (error) {
    return { code: (error as { code?: unknown }).code, ms: performance.now() - started };
  }
}

/**
 * The TypeORM store behind a TCP proxy that freezes or cuts its connections: every method
 * answers `ERR_AUTH_STORE_UNAVAILABLE` within the timeout, and nothing a failed call started
 * is left spent, revoked or written once the database answers again.
 */
export function defineStoreOutageSuite(
  label: string,
  createDatabase: () => Promise<OutageDatabase>,
): void {
  let database: OutageDatabase;
  let proxy: TcpProxy;
  let dataSource: DataSource;
  let store: TypeOrmRefreshTokenStore;
  const figures: string[] = [];

  beforeAll(async () => {
    database = await createDatabase();
    proxy = await TcpProxy.start(database.host, database.port);
    dataSource = new DataSource({
      ...database.options(proxy.port),
      entities: [RefreshTokenEntity, RefreshSessionEntity],
      migrations: REFRESH_TOKEN_MIGRATIONS,
      migrationsRun: true,
      logging: false,
    } as DataSourceOptions);
    await dataSource.initialize();
    store = new TypeOrmRefreshTokenStore(dataSource, { timeout: TIMEOUT });
  });

  afterAll(async () => {
    proxy?.restore();
    await dataSource?.destroy();
    await proxy?.close();
    await database?.drop();
    console.warn(`store outage figures (${label}, timeout ${TIMEOUT} ms):\n${figures.join('\n')}`);
  });

  /** Every public method at once, each with what it would change. */
  function everyMethod(now: number, live: RefreshSessionRecord, parent: RefreshTokenRecord) {
    const fresh = session(now);
    const command: RotateRefreshTokenCommand = {
      parentId: parent.id,
      sessionId: live.id,
      now,
      child: token(live, now, parent.id),
    };
    return {
      fresh,
      command,
      calls: {
        createSession: store.createSession(fresh, token(fresh, now)),
        findTokenByHash: store.findTokenByHash(parent.tokenHash),
        findToken: store.findToken(parent.id),
        findSession: store.findSession(live.id),
        rotate: store.rotate(command),
        revokeSession: store.revokeSession(live.id, 'logout', now),
        revokeUserSessions: store.revokeUserSessions(live.userId, 'revoked_all', now),
        listLiveSessions: store.listLiveSessions(live.userId, now),
        enforceSessionCap: store.enforceSessionCap(live.userId, 0, now),
        // What a late prune deletes was due for deletion anyway: only expired or long-revoked rows.
        prune: store.prune(now, now - HOUR),
      },
    };
  }

  async function expectUntouched(
    live: RefreshSessionRecord,
    parent: RefreshTokenRecord,
    fresh: RefreshSessionRecord,
    command: RotateRefreshTokenCommand,
  ): Promise<void> {
    const direct = database.direct;
    const parentRow = await direct.manager.findOneByOrFail(RefreshTokenEntity, { id: parent.id });
    expect(parentRow.spentAt, 'parent spent').toBeNull();
    expect(parentRow.successorId).toBeNull();
    expect(await direct.manager.findOneBy(RefreshTokenEntity, { id: command.child.id })).toBeNull();
    const liveRow = await direct.manager.findOneByOrFail(RefreshSessionEntity, { id: live.id });
    expect(liveRow.revokedAt, 'session revoked').toBeNull();
    expect(await direct.manager.findOneBy(RefreshSessionEntity, { id: fresh.id })).toBeNull();
    // And the session works: its token rotates.
    const next = token(live, command.now + 1, parent.id);
    expect(
      await store.rotate({
        parentId: parent.id,
        sessionId: live.id,
        now: command.now + 1,
        child: next,
      }),
    ).toBe(true);
  }

  for (const fault of ['frozen', 'cut'] as const) {
    it(`${fault}: every method fails with ERR_AUTH_STORE_UNAVAILABLE within the timeout; afterwards nothing is spent, revoked or written`, async () => {
      const now = Date.now();
      const live = session(now);
      const parent = token(live, now);
      await store.createSession(live, parent);
      // Open connections for every call, so that each sends its statements into the fault
      // (a new connection through a frozen proxy fails at the driver's connect timeout).
      await Promise.all(Array.from({ length: 10 }, () => dataSource.query('SELECT 1')));

      if (fault === 'frozen') proxy.freeze();
      else proxy.cut();
      const { fresh, command, calls } = everyMethod(now, live, parent);
      const results = await Promise.all(
        Object.entries(calls).map(async ([name, call]) => ({ name, ...(await failure(call)) })),
      );
      proxy.restore();
      for (const { name, code, ms } of results) {
        figures.push(
          `  ${fault.padEnd(6)} ${name.padEnd(18)} ${String(code)} in ${Math.round(ms)} ms`,
        );
        expect(code, name).toBe('ERR_AUTH_STORE_UNAVAILABLE');
        expect(ms, name).toBeLessThan(TIMEOUT + 700);
      }
      // Calls abandoned while frozen reach the database now; each must roll back or be undone.
      await new Promise((resolve) => setTimeout(resolve, SETTLE));
      await expectUntouched(live, parent, fresh, command);
    });
  }

  it('passes errors that are not outages unchanged (a duplicate key is no 503)', async () => {
    const now = Date.now();
    const live = session(now);
    const first = token(live, now);
    await store.createSession(live, first);
    const { code } = await failure(store.createSession(live, token(live, now)));
    expect(code).not.toBe('ERR_AUTH_STORE_UNAVAILABLE');
    expect(code).not.toBe('resolved');
  });
}
