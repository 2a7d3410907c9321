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
 * TypeORM options for the configured database. Tables come from the shipped migrations,
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
      return { ...common, type: 'better-sqlite3', database: database.path };
    case 'postgres':
      return {
        ...common,
        type: 'postgres',
        url: database.url,
        ...(database.schema === null ? {} : { schema: database.schema }),
      };
    case 'mysql':
    case 'mariadb':
      return { ...common, type: database.type, url: database.url, charset: 'utf8mb4' };
  }
}
