import { describe, expect, it } from 'vitest';
import { QueryFailedError } from 'typeorm';
import { StoreUnavailableError } from '../../../lib/auth.errors.js';
import { authErrorToHttp } from '../../../lib/http/auth-error-to-http.js';
import { guardStoreCall, throwIfCallAbandoned } from '../../../lib/typeorm/store-call-guard.js';
import { isStoreUnavailable, toStoreUnavailable } from '../../../lib/typeorm/store-unavailable.js';
import { resolveStoreOptions } from '../../../lib/typeorm/typeorm-refresh-token-store.options.js';
import {
  RefreshSessionEntity,
  RefreshTokenEntity,
} from '../../../lib/typeorm/refresh-token.entity.js';

const coded = (code: string, message = 'driver error'): Error =>
  Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    '57P01',
    '57P03',
    '57014',
    '08006',
    '08001',
    '53300',
    'PROTOCOL_CONNECTION_LOST',
    'ER_CON_COUNT_ERROR',
    'ER_LOCK_WAIT_TIMEOUT',
    'SQLITE_BUSY',
    'SQLITE_BUSY_SNAPSHOT',
    'SQLITE_LOCKED',
    'SQLITE_IOERR_WRITE',
  ])('recognises the driver code %s', (code) => {
    expect(isStoreUnavailable(coded(code))).toBe(true);
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'Client has encountered a connection error and is not queryable',
  ])('recognises pg errors without a code: %s', (message) => {
    expect(isStoreUnavailable(new Error(message))).toBe(true);
  });

  it('looks through TypeORM driverError, cause and AggregateError members', () => {
    expect(isStoreUnavailable(new QueryFailedError('SELECT 1', [], coded('57P01')))).toBe(true);
    expect(isStoreUnavailable(new Error('wrapped', { cause: coded('ECONNRESET') }))).toBe(true);
    expect(
      isStoreUnavailable(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')])),
    ).toBe(true);
  });

  it.each([
    ['a unique violation', coded('23505')],
    ['a syntax error', coded('42601')],
    ['a duplicate key on MySQL', coded('ER_DUP_ENTRY')],
    ['a SQLite constraint', coded('SQLITE_CONSTRAINT_UNIQUE')],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
  ])('passes %s unchanged', (_case, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
    expect(toStoreUnavailable(error)).toBe(error);
  });

  it('survives a cause cycle', () => {
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    expect(isStoreUnavailable(error)).toBe(false);
  });

  it('wraps an outage in StoreUnavailableError, keeping the original as cause', () => {
    const original = coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
    const wrapped = toStoreUnavailable(original) as StoreUnavailableError;
    expect(wrapped.code).toBe('ERR_AUTH_STORE_UNAVAILABLE');
    expect(wrapped.cause).toBe(original);
    expect(wrapped.message).not.toContain('5432');
  });
});

describe('authErrorToHttp for an unavailable store', () => {
  it('answers 503 with Retry-After and a fixed message', () => {
    const mapped = authErrorToHttp(new StoreUnavailableError({ cause: coded('ECONNREFUSED') }));
    expect(mapped).toEqual({
      status: 503,
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Service temporarily unavailable, retry later',
      },
      wwwAuthenticate: null,
      retryAfter: 5,
    });
  });
});

describe('guardStoreCall', () => {
  it('fails a call that does not answer with StoreUnavailableError at its timeout', async () => {
    const started = performance.now();
    const never = new Promise<never>(() => undefined);
    await expect(guardStoreCall(() => never, 50)).rejects.toMatchObject({
      code: 'ERR_AUTH_STORE_UNAVAILABLE',
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('marks the abandoned call, so that its transaction stops at the next statement', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let continued = false;
    let stopped: unknown;
    const call = async (): Promise<void> => {
      await gate;
      try {
        throwIfCallAbandoned();
        continued = true;
      } catch (error) {
        stopped = error;
      }
    };
    await expect(guardStoreCall(call, 20)).rejects.toMatchObject({
      code: 'ERR_AUTH_STORE_UNAVAILABLE',
    });
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(continued).toBe(false);
    expect((stopped as { code?: unknown }).code).toBe('ERR_AUTH_STORE_UNAVAILABLE');
  });

  it('reports the result of a call that completed after its timeout', async () => {
    let release: (value: boolean) => void = () => undefined;
    const late = new Promise<boolean>((resolve) => (release = resolve));
    const seen: boolean[] = [];
    await expect(
      guardStoreCall(
        () => late,
        20,
        async (result) => void seen.push(result),
      ),
    ).rejects.toMatchObject({ code: 'ERR_AUTH_STORE_UNAVAILABLE' });
    release(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual([true]);
  });

  it('passes results and other errors through unchanged', async () => {
    await expect(guardStoreCall(async () => 42, 1000)).resolves.toBe(42);
    const other = coded('23505');
    await expect(guardStoreCall(() => Promise.reject(other), 1000)).rejects.toBe(other);
    await expect(
      guardStoreCall(() => Promise.reject(coded('ECONNRESET')), 0),
    ).rejects.toMatchObject({ code: 'ERR_AUTH_STORE_UNAVAILABLE' });
  });
});

describe('TypeOrmRefreshTokenStore options', () => {
  const defaults = { RefreshTokenEntity, RefreshSessionEntity };

  it('defaults to a 5 s timeout and accepts the entities alone, as before', () => {
    expect(resolveStoreOptions(undefined, defaults)).toEqual({ entities: defaults, timeout: 5000 });
    expect(resolveStoreOptions(defaults, defaults).timeout).toBe(5000);
    expect(resolveStoreOptions({ timeout: 0 }, defaults).timeout).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 31])('refuses the timeout %s', (timeout) => {
    expect(() => resolveStoreOptions({ timeout }, defaults)).toThrow(TypeError);
  });
});
