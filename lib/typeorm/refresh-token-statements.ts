import type { DataSource, EntityMetadata, EntitySchema } from 'typeorm';
import { compileSql, type PlaceholderStyle, type SqlStatement } from './sql-statement.js';
import type {
  RefreshSessionRecord,
  RefreshTokenRecord,
  RefreshTokenWithSession,
  RotateRefreshTokenCommand,
  SessionRevocationReason,
} from '../refresh-token/refresh-token.store.js';

/** @internal The SQL family a DataSource speaks, for the statements below. */
export type RefreshTokenDialect = 'postgres' | 'mysql' | 'sqlite';

const DIALECTS: Readonly<Record<string, RefreshTokenDialect>> = {
  postgres: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  'better-sqlite3': 'sqlite',
  sqljs: 'sqlite',
  capacitor: 'sqlite',
  cordova: 'sqlite',
  expo: 'sqlite',
  'react-native': 'sqlite',
  nativescript: 'sqlite',
};

/**
 * @internal
 * @throws {TypeError} for a DataSource type the store does not support
 */
export function refreshTokenDialect(type: string): RefreshTokenDialect {
  const dialect = DIALECTS[type];
  if (dialect === undefined) {
    throw new TypeError(
      `TypeOrmRefreshTokenStore supports PostgreSQL, MariaDB/MySQL and SQLite DataSources, got type '${type}'`,
    );
  }
  return dialect;
}

/** @internal Arguments of the revocation statements. */
export interface RevokeValues {
  readonly sessionId: string;
  readonly reason: SessionRevocationReason;
  readonly now: number;
}

/** @internal Every statement of the hot paths, built once per DataSource and entities. */
export interface RefreshTokenStatements {
  readonly findTokenByHash: SqlStatement<{ readonly tokenHash: string }>;
  readonly findToken: SqlStatement<{ readonly id: string }>;
  readonly insertSession: SqlStatement<{ readonly session: RefreshSessionRecord }>;
  readonly insertToken: SqlStatement<{ readonly token: RefreshTokenRecord }>;
  /** Rotation, step 1: the session row where live (the lock). */
  readonly touchSession: SqlStatement<RotateRefreshTokenCommand>;
  /** Rotation, step 2: the parent where unspent and unrevoked. */
  readonly spendToken: SqlStatement<RotateRefreshTokenCommand>;
  /** Rotation, step 3. */
  readonly insertChild: SqlStatement<RotateRefreshTokenCommand>;
  /** The whole rotation as one statement returning one row on success (PostgreSQL only). */
  readonly rotate: SqlStatement<RotateRefreshTokenCommand> | null;
  readonly revokeSession: SqlStatement<RevokeValues>;
  readonly revokeTokens: SqlStatement<RevokeValues>;
  /** Maps a row of `findTokenByHash` / `findToken` to the records. */
  readonly toTokenWithSession: (row: Readonly<Record<string, unknown>>) => RefreshTokenWithSession;
}

interface Column {
  readonly property: string;
  /** Escaped column name. */
  readonly name: string;
  /** Alias in the joined SELECT. */
  readonly alias: string;
  readonly epochMs: boolean;
}

/**
 * pg and mysql2 return BIGINT as a string (mysql2 through TypeORM's `bigNumberStrings`),
 * better-sqlite3 as a number or, with `safeIntegers`, a bigint; epoch milliseconds stay below
 * 2^53, so Number() is exact (see refresh-token.entity.ts).
 */
function epochMs(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

function columnsOf(metadata: EntityMetadata, prefix: string, escape: (name: string) => string) {
  return metadata.columns.map((column, index): Column => ({
    property: column.propertyName,
    name: escape(column.databaseName),
    alias: `${prefix}${index}`,
    epochMs: column.type === 'bigint',
  }));
}

function names(columns: readonly Column[]): string {
  return columns.map((c) => c.name).join(', ');
}

/** Placeholders taking each column's value from the record `source`. */
function values(columns: readonly Column[], source: string): string {
  return columns.map((c) => `:${source}.${c.property}`).join(', ');
}

function toRecord(columns: readonly Column[], row: Readonly<Record<string, unknown>>): object {
  const record: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.alias];
    record[column.property] = column.epochMs ? epochMs(value) : (value ?? null);
  }
  return record;
}

/**
 * @internal Builds the statements for the DataSource's dialect and the entities' tables (schema
 * included), quoting identifiers with the driver's own `escape`. Needs an initialized DataSource.
 */
export function buildRefreshTokenStatements(
  dataSource: DataSource,
  tokenSchema: EntitySchema<RefreshTokenRecord>,
  sessionSchema: EntitySchema<RefreshSessionRecord>,
): RefreshTokenStatements {
  const dialect = refreshTokenDialect(dataSource.options.type);
  const style: PlaceholderStyle = dialect === 'postgres' ? 'numbered' : 'positional';
  const escape = (name: string): string => dataSource.driver.escape(name);
  const tablePath = (metadata: EntityMetadata): string =>
    metadata.tablePath
      .split('.')
      .map((part) => escape(part))
      .join('.');
  const tokenMetadata = dataSource.getMetadata(tokenSchema);
  const sessionMetadata = dataSource.getMetadata(sessionSchema);
  const tokens = tablePath(tokenMetadata);
  const sessions = tablePath(sessionMetadata);
  const tokenColumns = columnsOf(tokenMetadata, 't', escape);
  const sessionColumns = columnsOf(sessionMetadata, 's', escape);
  const t = Object.fromEntries(tokenColumns.map((c) => [c.property, c.name])) as Record<
    keyof RefreshTokenRecord,
    string
  >;
  const s = Object.fromEntries(sessionColumns.map((c) => [c.property, c.name])) as Record<
    keyof RefreshSessionRecord,
    string
  >;

  const select = (where: string): string =>
    `SELECT ${[
      ...tokenColumns.map((c) => `t.${c.name} AS ${c.alias}`),
      ...sessionColumns.map((c) => `s.${c.name} AS ${c.alias}`),
    ].join(
      ', ',
    )} FROM ${tokens} t INNER JOIN ${sessions} s ON s.${s.id} = t.${t.sessionId} WHERE ${where}`;
  const insertToken = (source: string): string =>
    `INSERT INTO ${tokens} (${names(tokenColumns)}) VALUES (${values(tokenColumns, source)})`;

  const touchSet = `${s.lastUsedAt} = :now, ${s.idleExpiresAt} = :child.idleExpiresAt, ${s.userAgent} = :child.userAgent, ${s.ip} = :child.ip`;
  const sessionLive = `${s.id} = :sessionId AND ${s.revokedAt} IS NULL AND ${s.expiresAt} > :now AND ${s.idleExpiresAt} > :now`;
  const spendSet = `${t.spentAt} = :now, ${t.lastUsedAt} = :now, ${t.successorId} = :child.id`;
  const tokenUnspent = `${t.id} = :parentId AND ${t.sessionId} = :sessionId AND ${t.spentAt} IS NULL AND ${t.revokedAt} IS NULL`;

  // One statement, hence atomic without BEGIN/COMMIT. Its sub-statements share one snapshot
  // (PostgreSQL docs, 7.8.4 "Data-Modifying Statements in WITH"); what makes it race-free is
  // that, under READ COMMITTED, a row lock that had to wait re-evaluates the WHERE clause on the
  // latest committed version of the row (13.2.1 "Read Committed Isolation Level"):
  // - rotate-live locks the session row first (FOR NO KEY UPDATE conflicts with the lock of
  //   revokeSession's UPDATE), so a rotation and a revocation of one session run one after the
  //   other and never deadlock; one that waited for a revocation finds it revoked: no row.
  // - rotate-spent runs its row lock only once rotate-live holds the session (its EXISTS gates
  //   it). A rotation of the same token that committed meanwhile left the row spent, and the
  //   re-check of `spent_at IS NULL` on that latest version excludes it: one successor only.
  // - The session is touched and the child inserted only from rotate-spent's rows, so a
  //   rotation that lost changes nothing (a session UPDATE ahead of the token check would run
  //   anyway: data-modifying sub-statements always run to completion). rotate-touched reaches
  //   the version rotate-live locked through the same re-check.
  // The CTE names contain '-', so no table name allowed by resolveTableNames can shadow them.
  const rotate =
    dialect === 'postgres'
      ? `WITH "rotate-live" AS (SELECT ${s.id} FROM ${sessions} WHERE ${sessionLive} FOR NO KEY UPDATE), ` +
        `"rotate-spent" AS (UPDATE ${tokens} SET ${spendSet} WHERE ${tokenUnspent} AND EXISTS (SELECT 1 FROM "rotate-live") RETURNING ${t.id}), ` +
        `"rotate-touched" AS (UPDATE ${sessions} SET ${touchSet} WHERE ${s.id} = :sessionId AND EXISTS (SELECT 1 FROM "rotate-spent")) ` +
        `INSERT INTO ${tokens} (${names(tokenColumns)}) SELECT ${values(tokenColumns, 'child')} FROM "rotate-spent" RETURNING ${t.id}`
      : null;

  return {
    findTokenByHash: compileSql(select(`t.${t.tokenHash} = :tokenHash`), style),
    findToken: compileSql(select(`t.${t.id} = :id`), style),
    insertSession: compileSql(
      `INSERT INTO ${sessions} (${names(sessionColumns)}) VALUES (${values(sessionColumns, 'session')})`,
      style,
    ),
    insertToken: compileSql(insertToken('token'), style),
    touchSession: compileSql(`UPDATE ${sessions} SET ${touchSet} WHERE ${sessionLive}`, style),
    spendToken: compileSql(`UPDATE ${tokens} SET ${spendSet} WHERE ${tokenUnspent}`, style),
    insertChild: compileSql(insertToken('child'), style),
    rotate: rotate === null ? null : compileSql(rotate, style),
    revokeSession: compileSql(
      `UPDATE ${sessions} SET ${s.revokedAt} = :now, ${s.revokedReason} = :reason WHERE ${s.id} = :sessionId AND ${s.revokedAt} IS NULL`,
      style,
    ),
    revokeTokens: compileSql(
      `UPDATE ${tokens} SET ${t.revokedAt} = :now, ${t.revokedReason} = :reason WHERE ${t.sessionId} = :sessionId AND ${t.revokedAt} IS NULL`,
      style,
    ),
    toTokenWithSession: (row) => ({
      token: toRecord(tokenColumns, row) as RefreshTokenRecord,
      session: toRecord(sessionColumns, row) as RefreshSessionRecord,
    }),
  };
}
