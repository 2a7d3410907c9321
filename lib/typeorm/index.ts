// nest-hybrid-auth/typeorm: the TypeORM adapter of the refresh-token store. Its own entry point,
// so that an app without TypeORM (a verify-only service) never loads it.

export { TypeOrmRefreshTokenStore } from './typeorm-refresh-token.store.js';
export { DEFAULT_STORE_TIMEOUT } from './typeorm-refresh-token-store.options.js';
export type { TypeOrmRefreshTokenStoreOptions } from './typeorm-refresh-token-store.options.js';
export { isStoreUnavailable, toStoreUnavailable } from './store-unavailable.js';
export { guardStoreCall } from './store-call-guard.js';
export {
  createRefreshTokenEntities,
  DEFAULT_REFRESH_TOKEN_TABLES,
  RefreshSessionEntity,
  RefreshTokenEntity,
} from './refresh-token.entity.js';
export type { RefreshTokenEntities, RefreshTokenTableNames } from './refresh-token.entity.js';
export {
  createRefreshTokenMigrations,
  REFRESH_TOKEN_MIGRATIONS,
} from './refresh-token.migrations.js';
export type { RefreshTokenMigration } from './refresh-token.migrations.js';
export { TypeOrmSigningKeyStore } from './typeorm-signing-key.store.js';
export { createSigningKeysMigration, DEFAULT_SIGNING_KEYS_TABLE } from './signing-key.migration.js';
