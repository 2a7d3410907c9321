import {
  Table,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
  type TableColumnOptions,
} from 'typeorm';
import {
  refreshSessionIndices,
  refreshTokenIndices,
  resolveTableNames,
  type IndexDefinition,
  type RefreshTokenTableNames,
} from './refresh-token.entity.js';

/** A migration class as TypeORM's `migrations` option takes it. */
export type RefreshTokenMigration = new () => MigrationInterface;

const uuid = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isNullable: nullable,
});
// BIGINT epoch milliseconds: exact and identical on every database (see refresh-token.entity.ts).
const time = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'bigint',
  isNullable: nullable,
});
const text = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

/**
 * Builds the migrations that create the refresh-token tables under the given names, for
 * TypeORM's `migrations` option. Written with TypeORM's `Table` API so one definition serves
 * SQLite, PostgreSQL and MariaDB/MySQL. Each `up` is idempotent: it creates only what is
 * missing, so it is safe on a database where the tables already exist.
 *
 * @example
 * new DataSource({ ..., migrations: createRefreshTokenMigrations({ tokensTable: 'rt' }) });
 */
export function createRefreshTokenMigrations(
  names: RefreshTokenTableNames = {},
): RefreshTokenMigration[] {
  const { tokensTable, sessionsTable } = resolveTableNames(names);

  const sessions = new Table({
    name: sessionsTable,
    columns: [
      { ...uuid('id'), isPrimary: true },
      text('user_id', 255),
      time('created_at'),
      time('last_used_at'),
      time('expires_at'),
      time('idle_expires_at'),
      time('auth_time'),
      text('user_agent', 512, true),
      text('ip', 64, true),
      time('revoked_at', true),
      text('revoked_reason', 32, true),
    ],
  });
  const tokens = new Table({
    name: tokensTable,
    columns: [
      { ...uuid('id'), isPrimary: true },
      uuid('session_id'),
      text('user_id', 255),
      text('token_hash', 64),
      text('nonce', 43),
      uuid('parent_id', true),
      uuid('successor_id', true),
      time('created_at'),
      time('spent_at', true),
      time('last_used_at', true),
      time('expires_at'),
      time('idle_expires_at'),
      time('revoked_at', true),
      text('revoked_reason', 32, true),
      text('user_agent', 512, true),
      text('ip', 64, true),
      time('auth_time'),
    ],
  });

  class CreateAuthRefreshTokens1764400000000 implements MigrationInterface {
    /** Recorded in the migrations table; the 13-digit suffix is TypeORM's timestamp. */
    readonly name = 'CreateAuthRefreshTokens1764400000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await createTableIfMissing(queryRunner, sessions, refreshSessionIndices(sessionsTable));
      await createTableIfMissing(queryRunner, tokens, refreshTokenIndices(tokensTable));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropTable(tokensTable, true);
      await queryRunner.dropTable(sessionsTable, true);
    }
  }

  return [CreateAuthRefreshTokens1764400000000];
}

async function createTableIfMissing(
  queryRunner: QueryRunner,
  table: Table,
  indices: readonly IndexDefinition[],
): Promise<void> {
  if (!(await queryRunner.hasTable(table.name))) {
    await queryRunner.createTable(table.clone());
  }
  // Checked one by one so an interrupted earlier run (MySQL DDL is not transactional) is completed.
  const existing = await queryRunner.getTable(table.name);
  const present = new Set((existing?.indices ?? []).map((index) => index.name));
  for (const index of indices) {
    if (!present.has(index.name)) {
      await queryRunner.createIndex(
        table.name,
        new TableIndex({
          name: index.name,
          columnNames: [...index.columnNames],
          isUnique: index.isUnique,
        }),
      );
    }
  }
}

/**
 * The migrations for the default table names (`auth_sessions`, `auth_refresh_tokens`).
 *
 * @example
 * new DataSource({ ..., migrations: [...REFRESH_TOKEN_MIGRATIONS, ...appMigrations] });
 */
export const REFRESH_TOKEN_MIGRATIONS: RefreshTokenMigration[] = createRefreshTokenMigrations();
