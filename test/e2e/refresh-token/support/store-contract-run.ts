import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  refreshTokenStoreContract,
  type ContractOptions,
  type ContractTestApi,
} from '../../../../lib/testing/index.js';
import { TypeOrmRefreshTokenStore } from '../../../../lib/typeorm/typeorm-refresh-token.store.js';
import type { IsolatedDatabase } from '../typeorm-refresh-token-suite.js';
import {
  RefreshSessionEntity,
  RefreshTokenEntity,
} from '../../../../lib/typeorm/refresh-token.entity.js';
import { REFRESH_TOKEN_MIGRATIONS } from '../../../../lib/typeorm/refresh-token.migrations.js';

/** Vitest's functions, as the contract takes them. */
export const vitestApi: ContractTestApi = { describe, it, expect, beforeEach, afterEach };

/**
 * Rounds of each race case: `STORE_CONTRACT_ROUNDS`, small by default to keep CI fast. The
 * figures are printed as `[race] <store> | <case> | ...` lines for the closing notes.
 */
export function contractSettings(store: string): ContractOptions {
  const rounds = Number(process.env.STORE_CONTRACT_ROUNDS ?? 5);
  return {
    rounds: Number.isSafeInteger(rounds) && rounds > 0 ? rounds : 5,
    // As many as the README states.
    concurrency: 50,
    report: (raceCase, { rounds: ran, violations, outcomes }) => {
      const counts = Object.entries(outcomes)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ');
      console.warn(
        `[race] ${store} | ${raceCase} | rounds=${ran} violations=${violations} ${counts}`,
      );
    },
  };
}

/** The DataSource options with the shipped entities and migrations. */
export function withRefreshTokenTables(options: DataSourceOptions): DataSourceOptions {
  return {
    ...options,
    entities: [RefreshTokenEntity, RefreshSessionEntity],
    migrations: REFRESH_TOKEN_MIGRATIONS,
    migrationsTableName: 'auth_migrations',
  } as DataSourceOptions;
}

/** Initializes and migrates a DataSource on an isolated database. */
export async function migratedDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(withRefreshTokenTables(options));
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}

/** The contract against the TypeORM store on one isolated database, migrated with the shipped migrations. */
export function typeOrmStoreContract(
  title: string,
  createDatabase: () => Promise<IsolatedDatabase>,
): void {
  describe(`${title}`, () => {
    let database: IsolatedDatabase | undefined;
    let dataSource: DataSource | undefined;
    beforeAll(async () => {
      database = await createDatabase();
      dataSource = await migratedDataSource(database.options);
    });
    afterAll(async () => {
      if (dataSource?.isInitialized) await dataSource.destroy();
      await database?.drop();
    });
    refreshTokenStoreContract(
      title,
      () => ({ store: new TypeOrmRefreshTokenStore(dataSource!) }),
      vitestApi,
      contractSettings(title),
    );
  });
}
