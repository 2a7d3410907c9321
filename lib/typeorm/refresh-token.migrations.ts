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
import { createSigningKeysMigration } from './signing-key.migration.js';

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
 * The second migration gives the id, user id, hash and nonce columns a binary collation on
 * MariaDB/MySQL (a no-op elsewhere), for databases created with the server's default
 * collation, which ignores case; it also fixes a database migrated by the first one alone.
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

  class ExactAuthRefreshTokenIds1764400000001 implements MigrationInterface {
    readonly name = 'ExactAuthRefreshTokenIds1764400000001';

    async up(queryRunner: QueryRunner): Promise<void> {
      if (!isMysqlFamily(queryRunner)) return;
      const collation = await binaryCollation(queryRunner);
      await alterCollation(queryRunner, sessionsTable, EXACT_SESSION_COLUMNS, collation);
      await alterCollation(queryRunner, tokensTable, EXACT_TOKEN_COLUMNS, collation);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      if (!isMysqlFamily(queryRunner)) return;
      await alterCollation(queryRunner, tokensTable, EXACT_TOKEN_COLUMNS, null);
      await alterCollation(queryRunner, sessionsTable, EXACT_SESSION_COLUMNS, null);
    }
  }

  // The signing keys of automatic rotation (empty unless rotation is on).
  return [
    CreateAuthRefreshTokens1764400000000,
    ExactAuthRefreshTokenIds1764400000001,
    createSigningKeysMigration(),
  ];
}

/** A VARCHAR column whose values must compare exactly. */
interface ExactColumn {
  readonly name: string;
  readonly length: number;
  readonly nullable: boolean;
}

const exact = (name: string, length: number, nullable = false): ExactColumn => ({
  name,
  length,
  nullable,
});
const EXACT_SESSION_COLUMNS = [exact('id', 36), exact('user_id', 255)];
const EXACT_TOKEN_COLUMNS = [
  exact('id', 36),
  exact('session_id', 36),
  exact('user_id', 255),
  exact('token_hash', 64),
  exact('nonce', 43),
  exact('parent_id', 36, true),
  exact('successor_id', 36, true),
];

/**
 * Binary collations without PAD SPACE, best first: MariaDB 10.2+, then MySQL 8. MySQL 5.7 has
 * only utf8mb4_bin, which still ignores trailing spaces; the store compares exactly in any case.
 */
const BINARY_COLLATIONS = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin', 'utf8mb4_bin'];

function isMysqlFamily(queryRunner: QueryRunner): boolean {
  const type = queryRunner.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}

async function binaryCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(
    `SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN (${BINARY_COLLATIONS.map(() => '?').join(', ')})`,
    BINARY_COLLATIONS,
  )) as { name: string }[];
  const available = new Set(rows.map((row) => row.name));
  return BINARY_COLLATIONS.find((name) => available.has(name)) ?? 'utf8mb4_bin';
}

/**
 * Gives the columns `collation` (`null`: the table's default), altering only those that differ,
 * so that running it again is a no-op. MariaDB's and MySQL's default collations
 * (utf8mb4_general_ci, utf8mb4_0900_ai_ci) ignore case, and PAD SPACE ones trailing spaces:
 * `alice`, `Alice` and `alice ` would be one user, and an id in upper case would find a session.
 */
async function alterCollation(
  queryRunner: QueryRunner,
  table: string,
  columns: readonly ExactColumn[],
  collation: string | null,
): Promise<void> {
  const current = (await queryRunner.query(
    'SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  )) as { name: string; collation: string | null }[];
  const collationOf = new Map(current.map((row) => [row.name, row.collation]));
  const stale = columns.filter((column) =>
    collation === null
      ? collationOf.has(column.name)
      : collationOf.has(column.name) && collationOf.get(column.name) !== collation,
  );
  if (stale.length === 0) return;
  const escape = (name: string): string => queryRunner.connection.driver.escape(name);
  const modify = stale.map(
    (column) =>
      `MODIFY ${escape(column.name)} varchar(${column.length})` +
      (collation === null ? '' : ` CHARACTER SET utf8mb4 COLLATE ${collation}`) +
      (column.nullable ? ' NULL' : ' NOT NULL'),
  );
  await queryRunner.query(`ALTER TABLE ${escape(table)} ${modify.join(', ')}`);
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
