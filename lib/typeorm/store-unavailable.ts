import { StoreUnavailableError } from '../auth.errors.js';

/**
 * Error codes that mean "the database cannot answer now", by driver. Matched on `code`, never
 * with `instanceof`: the driver may be another copy of the package than the one TypeORM loaded.
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  // Node.js sockets (pg, mysql2): refused, dropped, timed out, unroutable, DNS not answering.
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  // PostgreSQL SQLSTATEs (docs, appendix A "PostgreSQL Error Codes"): 57P01 admin_shutdown,
  // 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, recovering), 57014
  // query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout), 53300
  // too_many_connections, 25P03 idle_in_transaction_session_timeout. Class 08 is matched below.
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '55P03',
  '53300',
  '25P03',
  // mysql2 (lib/constants/errors.js and its own protocol codes): the connection was lost or
  // refused, too many connections, server shutting down, a query past `max_execution_time` or
  // `innodb_lock_wait_timeout`, a command after a fatal error.
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_TIMEOUT',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/**
 * better-sqlite3 codes, extended ones included (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_IOERR_WRITE`):
 * another connection holds the lock past the busy timeout, or the file cannot be read/written.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR)(_|$)/;

/**
 * Errors pg raises without a code (pg/lib/client.js, pg-pool/index.js): the socket ended, the
 * pool could not connect within `connectionTimeoutMillis`, `query_timeout` expired, or the
 * client was already broken by an earlier failure.
 */
const PG_UNAVAILABLE_MESSAGES: readonly string[] = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
];

function isUnavailableCode(code: unknown): boolean {
  if (typeof code !== 'string') return false;
  // PostgreSQL class 08: connection exception (08000, 08003, 08006, 08001, 08004...).
  return (
    UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SQLITE_UNAVAILABLE.test(code)
  );
}

/**
 * Whether a driver or TypeORM error means the database is unreachable, dropped the connection
 * or did not answer in time, as opposed to an error in the statement or the data. Looks at
 * the error, TypeORM's `driverError`, `cause`, and the members of an `AggregateError` (Node
 * reports a refused `localhost` connection once per address).
 *
 * @example if (isStoreUnavailable(error)) throw new StoreUnavailableError({ cause: error });
 */
export function isStoreUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (candidate.code === 'ERR_AUTH_STORE_UNAVAILABLE') return true;
    if (isUnavailableCode(candidate.code)) return true;
    const message = candidate.message;
    if (
      typeof message === 'string' &&
      PG_UNAVAILABLE_MESSAGES.some((fragment) => message.includes(fragment))
    ) {
      return true;
    }
    pending.push(candidate.driverError, candidate.cause);
    if (Array.isArray(candidate.errors)) pending.push(...(candidate.errors as unknown[]));
  }
  return false;
}

/**
 * The error a store call should throw for `error`: a {@link StoreUnavailableError} (with the
 * original as `cause`) when the database is unavailable, `error` itself otherwise.
 *
 * @example
 * try { await dataSource.query(sql); } catch (error) { throw toStoreUnavailable(error); }
 */
export function toStoreUnavailable(error: unknown): unknown {
  if ((error as { code?: unknown } | null)?.code === 'ERR_AUTH_STORE_UNAVAILABLE') return error;
  return isStoreUnavailable(error) ? new StoreUnavailableError({ cause: error }) : error;
}
