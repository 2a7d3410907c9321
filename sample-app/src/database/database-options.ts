import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import {
  REFRESH_TOKEN_MIGRATIONS,
  RefreshSessionEntity,
  RefreshTokenEntity,
} from '../../../lib/typeorm/index.js';
import type { SampleConfig } from '../sample-config.js';
import { UserEntity } from '../users/user.entity.js';
import { CreateUsersTable1767225600000 } from './create-users-table.migration.js';

/**
 * Longest the sample app waits for one database call (store and users), milliseconds; past it
 * the route answers 503 with `Retry-After`. Also PostgreSQL's `statement_timeout`, so the
 * server gives up on what the app gave up on.
 */
export const DATABASE_TIMEOUT_MS = 3000;
/** Longest wait for a new connection or a free pool slot, milliseconds (a crashed or frozen server). */
export const DATABASE_CONNECT_TIMEOUT_MS = 2000;

/**
 * TypeORM options for the configured database. Every wait is bounded: connecting (and, with
 * pg, waiting for a pool slot) by {@link DATABASE_CONNECT_TIMEOUT_MS}, statements by
 * {@link DATABASE_TIMEOUT_MS}, SQLite's busy wait on another process's lock likewise; pg's
 * `query_timeout` is left unset on purpose (see README, "When the database is down"). Tables come from the shipped migrations,
 * run at start-up; `synchronize` stays off so the schema a user deploys is the one tested.
 *
 * @example TypeOrmModule.forRoot(databaseOptions(config))
 */
export function databaseOptions(config: SampleConfig): TypeOrmModuleOptions {
  const common = {
    entities: [UserEntity, RefreshTokenEntity, RefreshSessionEntity],
    migrations: [...REFRESH_TOKEN_MIGRATIONS, CreateUsersTable1767225600000],
    migrationsRun: true,
    synchronize: false,
    logging: false,
    // Fail fast at start-up instead of retrying for half a minute against a wrong URL.
    retryAttempts: 0,
  };
  const database = config.database;
  switch (database.type) {
    case 'sqlite':
      if (database.path !== ':memory:') {
        mkdirSync(dirname(database.path), { recursive: true });
      }
      // better-sqlite3's busy timeout: how long a write waits for another process's lock.
      return {
        ...common,
        type: 'better-sqlite3',
        database: database.path,
        timeout: DATABASE_CONNECT_TIMEOUT_MS,
      };
    case 'postgres':
      return {
        ...common,
        type: 'postgres',
        url: database.url,
        ...(database.schema === null ? {} : { schema: database.schema }),
        extra: {
          // pg-pool: connecting, and waiting for a free client, fail after this.
          connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS,
          // Server side: a statement (or a lock wait) past the app's own limit is cancelled.
          statement_timeout: DATABASE_TIMEOUT_MS,
        },
      };
    case 'mysql':
    case 'mariadb':
      return {
        ...common,
        type: database.type,
        url: database.url,
        charset: 'utf8mb4',
        // mysql2: connecting, handshake included.
        connectTimeout: DATABASE_CONNECT_TIMEOUT_MS,
      };
  }
}
