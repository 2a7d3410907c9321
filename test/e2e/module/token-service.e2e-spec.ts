import { Module } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
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
import {
  REFRESH_TOKEN_REUSED_EVENT,
  type RefreshTokenReuseEvent,
} from '../../../lib/refresh-token/refresh-token-reuse.event.js';
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

const heard: RefreshTokenReuseEvent[] = [];

class ReuseListener {
  @OnEvent(REFRESH_TOKEN_REUSED_EVENT)
  onReuse(event: RefreshTokenReuseEvent): void {
    heard.push(event);
  }
}

describe('TokenService: the hybrid scheme end to end', () => {
  const users = new Map<string, AuthSubject | null>();
  const hooked: RefreshTokenReuseEvent[] = [];
  let close: () => Promise<void> = async () => {};

  async function boot(
    refresh: Partial<Extract<AuthModuleOptions['refresh'], object>> = {},
    algorithm: 'ES256' | 'HS256' = 'ES256',
  ) {
    const clock = new FixedClock(Date.now());
    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        AuthModule.forRoot(
          testAuthOptions(algorithm, {
            accessTokenTtl: '10m',
            refresh: {
              store: new MemoryRefreshTokenStore(),
              reuseGracePeriod: '10s',
              resolveUser: (id) => users.get(id),
              onReuseDetected: (event) => {
                hooked.push(event);
              },
              ...refresh,
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
    close = () => moduleRef.close();
    return { tokens: moduleRef.get(TokenService), clock };
  }

  afterEach(async () => {
    await close();
    users.clear();
    heard.length = 0;
    hooked.length = 0;
  });

  it('issues a pair whose access token names the session, then rotates it with fresh roles', async () => {
    users.set('u1', { id: 'u1', roles: ['user'] });
    const { tokens, clock } = await boot();
    const first = await tokens.issueTokens(
      { id: 'u1', roles: ['user'] },
      { userAgent: 'cli', ip: '127.0.0.1' },
    );
    expect(first).toMatchObject({ tokenType: 'Bearer', expiresIn: 600 });
    expect(first.refreshExpiresIn).toBe(14 * 24 * 3600);
    const claims = await tokens.verifyAccessToken(first.accessToken);
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.auth_time).toBe(Math.floor(clock.now() / 1000));

    users.set('u1', { id: 'u1', roles: ['user', 'admin'] });
    clock.advance(60);
    const second = await tokens.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const rotated = await tokens.verifyAccessToken(second.accessToken);
    expect(rotated).toMatchObject({
      sid: claims.sid,
      auth_time: claims.auth_time,
      roles: ['user', 'admin'],
    });
  });

  it('logs out: the refresh token dies and so do the live access tokens of that session', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    const { tokens } = await boot();
    const pair = await tokens.issueTokens({ id: 'u1' });
    const other = await tokens.issueTokens({ id: 'u1' });
    await tokens.logout(pair.refreshToken);
    expect(await errorCode(tokens.verifyAccessToken(pair.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    );
    expect(await errorCode(tokens.refresh(pair.refreshToken))).toBe(
      'ERR_AUTH_REFRESH_TOKEN_INVALID',
    );
    await expect(tokens.verifyAccessToken(other.accessToken)).resolves.toMatchObject({ sub: 'u1' });
    await expect(tokens.logout('not-a-token')).resolves.toBeUndefined();
  });

  it('logs out everywhere but the current session when asked', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    const { tokens } = await boot();
    const current = await tokens.issueTokens({ id: 'u1' });
    const elsewhere = await tokens.issueTokens({ id: 'u1' });
    const { sid } = await tokens.verifyAccessToken(current.accessToken);
    await tokens.revokeAllSessions('u1', { exceptSessionId: sid });
    await expect(tokens.verifyAccessToken(current.accessToken)).resolves.toMatchObject({ sid });
    expect(await errorCode(tokens.verifyAccessToken(elsewhere.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    );
    expect((await tokens.listSessions('u1')).map((session) => session.id)).toEqual([sid]);
    await tokens.revokeAllSessions('u1');
    expect(await tokens.listSessions('u1')).toEqual([]);
    expect(await errorCode(tokens.refresh(current.refreshToken))).toBe(
      'ERR_AUTH_REFRESH_TOKEN_INVALID',
    );
  });

  it('refuses to revoke a session that is not the user’s', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    const { tokens } = await boot();
    const pair = await tokens.issueTokens({ id: 'u1' });
    const { sid } = await tokens.verifyAccessToken(pair.accessToken);
    expect(await errorCode(tokens.revokeSession('u2', sid!))).toBe('ERR_AUTH_SESSION_NOT_FOUND');
    for (const bogus of [undefined, 42, { $ne: null }, [sid]]) {
      expect(await errorCode(tokens.revokeSession('u1', bogus as unknown as string))).toBe(
        'ERR_AUTH_SESSION_NOT_FOUND',
      );
    }
    await tokens.revokeSession('u1', sid!);
    expect(await errorCode(tokens.verifyAccessToken(pair.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    );
  });

  it('on reuse after the grace window revokes the session, its access tokens, and tells the app', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    const { tokens, clock } = await boot();
    const first = await tokens.issueTokens({ id: 'u1' });
    const second = await tokens.refresh(first.refreshToken);
    clock.advance(11);
    expect(await errorCode(tokens.refresh(first.refreshToken))).toBe(
      'ERR_AUTH_REFRESH_TOKEN_REUSED',
    );
    expect(await errorCode(tokens.refresh(second.refreshToken))).toBe(
      'ERR_AUTH_REFRESH_TOKEN_INVALID',
    );
    expect(await errorCode(tokens.verifyAccessToken(second.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    );
    expect(await errorCode(tokens.verifyAccessToken(first.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    );
    expect(hooked).toHaveLength(1);
    expect(heard).toEqual(hooked);
    expect(hooked[0]).toMatchObject({ userId: 'u1' });
  });

  it('within the grace window sends the same successor again', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    const { tokens, clock } = await boot();
    const first = await tokens.issueTokens({ id: 'u1' });
    const [a, b] = await Promise.all([
      tokens.refresh(first.refreshToken),
      tokens.refresh(first.refreshToken),
    ]);
    expect(a.refreshToken).toBe(b.refreshToken);
    clock.advance(9);
    expect((await tokens.refresh(first.refreshToken)).refreshToken).toBe(a.refreshToken);
    expect(hooked).toHaveLength(0);
  });

  it('refuses a user the app no longer accepts, and ends that session', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    const { tokens } = await boot();
    const pair = await tokens.issueTokens({ id: 'u1' });
    users.set('u1', null);
    expect(await errorCode(tokens.refresh(pair.refreshToken))).toBe('ERR_AUTH_USER_REJECTED');
    users.set('u1', { id: 'u1', roles: [] });
    expect(await errorCode(tokens.refresh(pair.refreshToken))).toBe(
      'ERR_AUTH_REFRESH_TOKEN_INVALID',
    );
  });

  it('revokes the live access tokens of a session whose user was rejected at refresh', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    const { tokens } = await boot();
    const pair = await tokens.issueTokens({ id: 'u1' });
    users.set('u1', null);
    expect(await errorCode(tokens.refresh(pair.refreshToken))).toBe('ERR_AUTH_USER_REJECTED');
    expect(await errorCode(tokens.verifyAccessToken(pair.accessToken))).toBe(
      'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    );
  });

  it('revokes the live access tokens of the sessions maxSessionsPerUser pushes out, never the new one', async () => {
    users.set('u1', { id: 'u1', roles: [] });
    // The clock does not move: logins in the same millisecond must still keep the newest session.
    const { tokens } = await boot({ maxSessionsPerUser: 1 });
    let previous = await tokens.issueTokens({ id: 'u1' });
    for (let login = 0; login < 8; login++) {
      const next = await tokens.issueTokens({ id: 'u1' });
      expect(await errorCode(tokens.verifyAccessToken(previous.accessToken))).toBe(
        'ERR_AUTH_ACCESS_TOKEN_REVOKED',
      );
      expect(await errorCode(tokens.refresh(previous.refreshToken))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_INVALID',
      );
      await expect(tokens.verifyAccessToken(next.accessToken)).resolves.toMatchObject({
        sub: 'u1',
      });
      previous = await tokens.refresh(next.refreshToken);
    }
  });

  it('derives the refresh-token secret from an HS256 signing secret too', async () => {
    users.set('u1', { id: 'u1', roles: ['user'] });
    const { tokens } = await boot({}, 'HS256');
    const first = await tokens.issueTokens({ id: 'u1', roles: ['user'] });
    const [a, b] = await Promise.all([
      tokens.refresh(first.refreshToken),
      tokens.refresh(first.refreshToken),
    ]);
    expect(a.refreshToken).toBe(b.refreshToken);
    await expect(tokens.verifyAccessToken(a.accessToken)).resolves.toMatchObject({ sub: 'u1' });
  });

  it('opens no session when the claims hook throws', async () => {
    const { tokens } = await boot();
    const failing = {
      id: 'u9',
      get roles(): string[] {
        throw new Error('directory down');
      },
    };
    await expect(tokens.issueTokens(failing)).rejects.toThrow('directory down');
    expect(await tokens.listSessions('u9')).toEqual([]);
  });

  it('refuses non-string refresh tokens as invalid, never as a crash', async () => {
    const { tokens } = await boot();
    for (const value of [undefined, null, 42, {}, ['x']]) {
      expect(await errorCode(tokens.refresh(value as unknown as string))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_INVALID',
      );
    }
  });
});
