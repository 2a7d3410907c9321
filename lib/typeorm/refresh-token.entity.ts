import { EntitySchema, type EntitySchemaColumnOptions, type ValueTransformer } from 'typeorm';
import type {
  RefreshSessionRecord,
  RefreshTokenRecord,
} from '../refresh-token/refresh-token.store.js';

/** Table names of the refresh-token entities. */
export interface RefreshTokenTableNames {
  /**
   * Table of the refresh tokens.
   * @default 'auth_refresh_tokens'
   */
  tokensTable?: string;
  /**
   * Table of the sessions (token families).
   * @default 'auth_sessions'
   */
  sessionsTable?: string;
}

/** The two entity schemas, to register with a DataSource or `TypeOrmModule.forFeature`. */
export interface RefreshTokenEntities {
  readonly RefreshTokenEntity: EntitySchema<RefreshTokenRecord>;
  readonly RefreshSessionEntity: EntitySchema<RefreshSessionRecord>;
}

/** Defaults of {@link RefreshTokenTableNames}, shared with the migrations. */
export const DEFAULT_REFRESH_TOKEN_TABLES: Readonly<Required<RefreshTokenTableNames>> =
  Object.freeze({
    tokensTable: 'auth_refresh_tokens',
    sessionsTable: 'auth_sessions',
  });

/**
 * Times are stored as BIGINT epoch milliseconds rather than date/time types: integers
 * round-trip bit for bit on SQLite, PostgreSQL and MariaDB, whereas DATETIME loses milliseconds
 * on MySQL unless declared with precision, `timestamp` without time zone shifts with the
 * session time zone on PostgreSQL, and SQLite has no date type at all. pg and mysql2 return
 * BIGINT as a string (it may exceed 2^53); epoch milliseconds never do, so Number() is exact.
 */
const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null | undefined) =>
    value === null || value === undefined ? null : Number(value),
};

const uuid = (name: string, nullable = false): EntitySchemaColumnOptions => ({
  name,
  type: 'varchar',
  length: 36,
  nullable,
});
const userId: EntitySchemaColumnOptions = { name: 'user_id', type: 'varchar', length: 255 };
const time = (name: string, nullable = false): EntitySchemaColumnOptions => ({
  name,
  type: 'bigint',
  nullable,
  transformer: epochMs,
});
const clientColumns = {
  userAgent: { name: 'user_agent', type: 'varchar', length: 512, nullable: true },
  ip: { name: 'ip', type: 'varchar', length: 64, nullable: true },
} satisfies Record<string, EntitySchemaColumnOptions>;
const revokedReason: EntitySchemaColumnOptions = {
  name: 'revoked_reason',
  type: 'varchar',
  length: 32,
  nullable: true,
};

/**
 * Builds the refresh-token entity schemas for the given table names. They have no relation to
 * the application's user entity: `user_id` is a plain string, so any user model fits.
 *
 * @example
 * const { RefreshTokenEntity, RefreshSessionEntity } = createRefreshTokenEntities({
 *   tokensTable: 'my_refresh_tokens',
 *   sessionsTable: 'my_sessions',
 * });
 */
export function createRefreshTokenEntities(
  names: RefreshTokenTableNames = {},
): RefreshTokenEntities {
  const { tokensTable, sessionsTable } = resolveTableNames(names);
  const custom =
    tokensTable !== DEFAULT_REFRESH_TOKEN_TABLES.tokensTable ||
    sessionsTable !== DEFAULT_REFRESH_TOKEN_TABLES.sessionsTable;
  return {
    RefreshTokenEntity: new EntitySchema<RefreshTokenRecord>({
      // Entity names must be unique per DataSource, so custom tables get their own.
      name: custom ? `AuthRefreshToken_${tokensTable}` : 'AuthRefreshToken',
      tableName: tokensTable,
      columns: {
        id: { ...uuid('id'), primary: true },
        sessionId: uuid('session_id'),
        userId,
        tokenHash: { name: 'token_hash', type: 'varchar', length: 64 },
        nonce: { name: 'nonce', type: 'varchar', length: 43 },
        parentId: uuid('parent_id', true),
        successorId: uuid('successor_id', true),
        createdAt: time('created_at'),
        spentAt: time('spent_at', true),
        lastUsedAt: time('last_used_at', true),
        expiresAt: time('expires_at'),
        idleExpiresAt: time('idle_expires_at'),
        revokedAt: time('revoked_at', true),
        revokedReason,
        ...clientColumns,
        authTime: time('auth_time'),
      },
      indices: refreshTokenIndices(tokensTable).map(({ name, propertyNames, isUnique }) => ({
        name,
        columns: propertyNames,
        unique: isUnique,
      })),
    }),
    RefreshSessionEntity: new EntitySchema<RefreshSessionRecord>({
      name: custom ? `AuthRefreshSession_${sessionsTable}` : 'AuthRefreshSession',
      tableName: sessionsTable,
      columns: {
        id: { ...uuid('id'), primary: true },
        userId,
        createdAt: time('created_at'),
        lastUsedAt: time('last_used_at'),
        expiresAt: time('expires_at'),
        idleExpiresAt: time('idle_expires_at'),
        authTime: time('auth_time'),
        ...clientColumns,
        revokedAt: time('revoked_at', true),
        revokedReason,
      },
      indices: refreshSessionIndices(sessionsTable).map(({ name, propertyNames }) => ({
        name,
        columns: propertyNames,
      })),
    }),
  };
}

/** @internal Index definitions shared by the entities and the migrations. */
export interface IndexDefinition {
  readonly name: string;
  /** For the migrations. */
  readonly columnNames: string[];
  /** For the entity schema. */
  readonly propertyNames: string[];
  readonly isUnique: boolean;
}

function index(name: string, column: string, property: string, isUnique = false): IndexDefinition {
  return { name, columnNames: [column], propertyNames: [property], isUnique };
}

/** @internal */
export function refreshTokenIndices(table: string): IndexDefinition[] {
  return [
    index(`IDX_${table}_token_hash`, 'token_hash', 'tokenHash', true),
    index(`IDX_${table}_user_id`, 'user_id', 'userId'),
    index(`IDX_${table}_session_id`, 'session_id', 'sessionId'),
    index(`IDX_${table}_expires_at`, 'expires_at', 'expiresAt'),
  ];
}

/** @internal */
export function refreshSessionIndices(table: string): IndexDefinition[] {
  return [
    index(`IDX_${table}_user_id`, 'user_id', 'userId'),
    index(`IDX_${table}_expires_at`, 'expires_at', 'expiresAt'),
  ];
}

/** @internal */
export function resolveTableNames(names: RefreshTokenTableNames): Required<RefreshTokenTableNames> {
  const resolved = {
    tokensTable: names.tokensTable ?? DEFAULT_REFRESH_TOKEN_TABLES.tokensTable,
    sessionsTable: names.sessionsTable ?? DEFAULT_REFRESH_TOKEN_TABLES.sessionsTable,
  };
  for (const [key, value] of Object.entries(resolved)) {
    // Names end up in DDL and index names; refuse anything that would need quoting.
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,47}$/.test(value)) {
      throw new TypeError(
        `${key} must match /^[A-Za-z_][A-Za-z0-9_]{0,47}$/, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (resolved.tokensTable === resolved.sessionsTable) {
    throw new TypeError('tokensTable and sessionsTable must differ');
  }
  return resolved;
}

const defaults = createRefreshTokenEntities();

/** The refresh-token entity schema with the default table name `auth_refresh_tokens`. */
export const RefreshTokenEntity: EntitySchema<RefreshTokenRecord> = defaults.RefreshTokenEntity;

/** The session entity schema with the default table name `auth_sessions`. */
export const RefreshSessionEntity: EntitySchema<RefreshSessionRecord> =
  defaults.RefreshSessionEntity;
