import { Module } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTH_CLOCK,
  AuthModule,
  MemoryRevocationStore,
  TokenService,
  type RevocationEntry,
  type RevocationStore,
} from '../../../lib/index.js';
import { MemoryRefreshTokenStore } from '../../../lib/refresh-token/memory-refresh-token.store.js';
import {
  REFRESH_TOKEN_REUSED_EVENT,
  type RefreshTokenReuseEvent,
} from '../../../lib/refresh-token/refresh-token-reuse.event.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { testAuthOptions } from '../../support/keys.js';

const TTL = 600;
const TOLERANCE = 5;

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/** A revocation backend that is down: every write rejects. */
class FailingRevocationStore implements RevocationStore {
  readonly attempted: RevocationEntry[] = [];
  async revoke(entry: RevocationEntry): Promise<void> {
    this.attempted.push(entry);
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  }
  isRevoked(): boolean {
    return false;
  }
}

const heard: RefreshTokenReuseEvent[] = [];

class ReuseListener {
  @OnEvent(REFRESH_TOKEN_REUSED_EVENT)
  onReuse(event: RefreshTokenReuseEvent): void {
    heard.push(event);
  }
}

describe('TokenService: access tokens of revoked sessions', () => {
  const modules: TestingModule[] = [];
  const hooked: RefreshTokenReuseEvent[] = [];

  /** One instance of the module; instances given the same stores share sessions and revocations. */
  async function instance(
    clock: FixedClock,
    stores: { refresh: MemoryRefreshTokenStore; revocation: RevocationStore },
  ): Promise<TokenService> {
    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        AuthModule.forRoot(
          testAuthOptions('ES256', {
            accessTokenTtl: TTL,
            clockTolerance: TOLERANCE,
            revocation: { store: stores.revocation },
            refresh: {
              store: stores.refresh,
              reuseGracePeriod: '10s',
              resolveUser: (id) => ({ id }),
              onReuseDetected: (event) => {
                hooked.push(event);
              },
            },
          }),
        ),
      ],
      providers: [ReuseListener],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(AUTH_CLOCK)
      .useValue(clock)
      .compile();
    await moduleRef.init();
    modules.push(moduleRef);
    return moduleRef.get(TokenService);
  }

  afterEach(async () => {
    for (const moduleRef of modules.splice(0)) await moduleRef.close();
    heard.length = 0;
    hooked.length = 0;
  });

  it('keeps refusing a token issued before the logout by an instance whose clock runs ahead, until it expires', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const stores = {
      refresh: new MemoryRefreshTokenStore(),
      revocation: new MemoryRevocationStore(),
    };
    const aheadClock = new FixedClock(now + TOLERANCE * 1000);
    const clock = new FixedClock(now);
    const ahead = await instance(aheadClock, stores);
    const here = await instance(clock, stores);

    const pair = await ahead.issueTokens({ id: 'u-1' });
    await here.logout(pair.refreshToken);
    // The token's exp is now + TOLERANCE + TTL on this clock; it is accepted up to TOLERANCE beyond.
    const acceptedUntil = (TTL + 2 * TOLERANCE) * 1000;
    for (const ms of [0, TTL * 1000, (TTL + TOLERANCE) * 1000, acceptedUntil - 1]) {
      clock.set(now + ms);
      expect(await errorCode(here.verifyAccessToken(pair.accessToken)), `at +${ms} ms`).toBe(
        'ERR_AUTH_ACCESS_TOKEN_REVOKED',
      );
    }
    clock.set(now + acceptedUntil);
    expect(await errorCode(here.verifyAccessToken(pair.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_EXPIRED',
    );
  });

  it('still logs out, revokes everywhere and detects reuse, with its event and hook, when the revocation store fails', async () => {
    const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
    const revocation = new FailingRevocationStore();
    const tokens = await instance(clock, { refresh: new MemoryRefreshTokenStore(), revocation });

    const first = await tokens.issueTokens({ id: 'u-1' });
    await expect(tokens.logout(first.refreshToken)).resolves.toBeUndefined();
    expect(await errorCode(tokens.refresh(first.refreshToken))).toBe(
      'ERR_AUTH_REFRESH_TOKEN_INVALID',
    );

    await tokens.issueTokens({ id: 'u-2' });
    await expect(tokens.revokeAllSessions('u-2')).resolves.toBeUndefined();

    const stolen = await tokens.issueTokens({ id: 'u-3' });
    await tokens.refresh(stolen.refreshToken);
    clock.advance(11);
    expect(await errorCode(tokens.refresh(stolen.refreshToken))).toBe(
      'ERR_AUTH_REFRESH_TOKEN_REUSED',
    );
    expect(heard.map((event) => event.userId)).toEqual(['u-3']);
    expect(hooked.map((event) => event.userId)).toEqual(['u-3']);
    expect(revocation.attempted.map((entry) => entry.kind)).toEqual([
      'session',
      'session',
      'session',
    ]);
  });
});
