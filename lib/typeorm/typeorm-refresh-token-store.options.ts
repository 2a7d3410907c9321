import { z } from 'zod';
import type { RefreshTokenEntities } from './refresh-token.entity.js';

/** Options of `TypeOrmRefreshTokenStore`, the second constructor argument. */
export interface TypeOrmRefreshTokenStoreOptions {
  /** The schemas, when created with custom table names (`createRefreshTokenEntities`). */
  readonly entities?: RefreshTokenEntities;
  /**
   * Longest a store call may take, in milliseconds, before it fails with
   * `StoreUnavailableError` (HTTP 503): the bound for what driver options cannot bound, such
   * as a database that froze with a query in flight. `0` disables it.
   * @default 5000
   */
  readonly timeout?: number;
}

/** Default of {@link TypeOrmRefreshTokenStoreOptions.timeout}, milliseconds. */
export const DEFAULT_STORE_TIMEOUT = 5000;

const timeoutSchema = z
  .number()
  .int()
  // setTimeout fires at once for anything above 2^31 - 1 ms (Node.js timers docs).
  .min(0)
  .max(2 ** 31 - 1);

/**
 * @internal Reads the second constructor argument: the entities alone (the earlier form) or
 * the options.
 * @throws {TypeError} for a timeout that is not a whole number of milliseconds in range
 */
export function resolveStoreOptions(
  argument: RefreshTokenEntities | TypeOrmRefreshTokenStoreOptions | undefined,
  defaults: RefreshTokenEntities,
): { readonly entities: RefreshTokenEntities; readonly timeout: number } {
  if (argument !== undefined && 'RefreshTokenEntity' in argument) {
    return { entities: argument, timeout: DEFAULT_STORE_TIMEOUT };
  }
  const parsed = timeoutSchema.safeParse(argument?.timeout ?? DEFAULT_STORE_TIMEOUT);
  if (!parsed.success) {
    throw new TypeError(
      'TypeOrmRefreshTokenStore: `timeout` must be a whole number of milliseconds from 0 (none) to 2147483647',
    );
  }
  return { entities: argument?.entities ?? defaults, timeout: parsed.data };
}
