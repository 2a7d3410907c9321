import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTH_CLOCK,
  AuthModule,
  TokenService,
  type AuthModuleOptions,
  type AuthSubject,
} from '../../../lib/index.js';
import { MemoryRefreshTokenStore } from '../../../lib/refresh-token/memory-refresh-token.store.js';
import type { RefreshTokenStore } from '../../../lib/refresh-token/refresh-token.store.js';
import type { RefreshTokenReuseEvent } from '../../../lib/refresh-token/refresh-token-reuse.event.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { testAuthOptions } from '../../support/keys.js';

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

const T0 = Date.UTC(2026, 0, 1, 12);
/** The module's default clockTolerance, seconds. */
const TOLERANCE = 5;

describe('TokenService: failed refreshes, and instances whose clocks differ', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  /** One instance of the app: its own module and clock, the given (shared) store. */
  async function instance(
    store: RefreshTokenStore,
    clock: FixedClock,
    overrides: Partial<AuthModuleOptions> = {},
  ) {
    const reuses: RefreshTokenReuseEvent[] = [];
    const user: AuthSubject = { id: 'u1', roles: ['user'] };
    @Module({
      imports: [
        AuthModule.forRoot(
          testAuthOptions('ES256', {
            accessTokenTtl: '10m',
            refresh: {
              store,
              reuseGracePeriod: '10s',
              idleTtl: '60s',
              resolveUser: () => user,
              onReuseDetected: (event) => {
                reuses.push(event);
              },
            },
            ...overrides,
          }),
        ),
      ],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(AUTH_CLOCK)
      .useValue(clock)
      .compile();
    await moduleRef.init();
    closers.push(() => moduleRef.close());
    return { tokens: moduleRef.get(TokenService), reuses, user };
  }

  it('a claims hook that fails during a refresh leaves the token unspent: the retry succeeds, no alarm', async () => {
    let failing = false;
    const clock = new FixedClock(T0);
    const { tokens, reuses, user } = await instance(new MemoryRefreshTokenStore(), clock, {
      claims: () => {
        if (failing) throw new Error('claims source unavailable');
        return {};
      },
    });
    const pair = await tokens.issueTokens(user);
    failing = true;
    await expect(tokens.refresh(pair.refreshToken)).rejects.toThrow('claims source unavailable');
    failing = false;
    // Beyond the grace window: a token spent by the failed attempt would now count as stolen.
    clock.advance(30);
    const retried = await tokens.refresh(pair.refreshToken);
    expect(retried.refreshToken).not.toBe(pair.refreshToken);
    expect(reuses).toEqual([]);
    expect(await tokens.listSessions('u1')).toHaveLength(1);
  });

  describe(`two instances over one store, clocks ${TOLERANCE} s apart`, () => {
    async function pairOfInstances() {
      const store = new MemoryRefreshTokenStore();
      const behindClock = new FixedClock(T0);
      const aheadClock = new FixedClock(T0 + TOLERANCE * 1000);
      const behind = await instance(store, behindClock);
      const ahead = await instance(store, aheadClock);
      const pair = await behind.tokens.issueTokens(behind.user);
      // The session's idle expiry (60 s) now lies between the two clocks.
      behindClock.advance(60 - TOLERANCE / 2);
      aheadClock.advance(60 - TOLERANCE / 2);
      return { behind, ahead, pair };
    }

    it('"log out everywhere" on the instance ahead ends the session for the instance behind', async () => {
      const { behind, ahead, pair } = await pairOfInstances();
      await ahead.tokens.revokeAllSessions('u1');
      expect(await errorCode(behind.tokens.refresh(pair.refreshToken))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_INVALID',
      );
    });

    it('revoking the session on the instance ahead ends it for the instance behind', async () => {
      const { behind, ahead, pair } = await pairOfInstances();
      const { sid } = await behind.tokens.verifyAccessToken(pair.accessToken);
      await ahead.tokens.revokeSession('u1', sid!);
      expect(await errorCode(behind.tokens.refresh(pair.refreshToken))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_INVALID',
      );
    });
  });

  it('revokes a session only by its id as stored', async () => {
    const { tokens, user } = await instance(new MemoryRefreshTokenStore(), new FixedClock(T0));
    const pair = await tokens.issueTokens(user);
    const { sid } = await tokens.verifyAccessToken(pair.accessToken);
    for (const spelling of [sid!.toUpperCase(), `${sid} `, `{${sid}}`]) {
      expect(await errorCode(tokens.revokeSession('u1', spelling))).toBe(
        'ERR_AUTH_SESSION_NOT_FOUND',
      );
    }
    await tokens.revokeSession('u1', sid!);
    expect(await errorCode(tokens.verifyAccessToken(pair.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    );
  });
});
