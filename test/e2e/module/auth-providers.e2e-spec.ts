import { Inject, Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthModule,
  MemoryRefreshTokenStore,
  RefreshTokenStore,
  TokenService,
} from '../../../lib/index.js';
import { RefreshSessions } from '../../../lib/refresh-token/refresh-sessions.js';
import { testAuthOptions } from '../../support/keys.js';

/** An app service that depends on the store by its contract, as a user's would. */
@Injectable()
class SessionAudit {
  constructor(@Inject(RefreshTokenStore) readonly store: RefreshTokenStore) {}
}

describe('AuthModule providers', () => {
  const modules: TestingModule[] = [];

  async function boot(refresh: MemoryRefreshTokenStore | null): Promise<TestingModule> {
    @Module({
      imports: [
        AuthModule.forRoot(
          testAuthOptions('ES256', {
            refresh: refresh === null ? false : { store: refresh, resolveUser: (id) => ({ id }) },
          }),
        ),
      ],
      providers: refresh === null ? [] : [SessionAudit],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await moduleRef.init();
    modules.push(moduleRef);
    return moduleRef;
  }

  afterEach(async () => {
    for (const moduleRef of modules.splice(0)) await moduleRef.close();
  });

  it('provides the configured store under RefreshTokenStore, to @Inject and to moduleRef.get', async () => {
    const store = new MemoryRefreshTokenStore();
    const moduleRef = await boot(store);
    expect(moduleRef.get(RefreshTokenStore)).toBe(store);
    expect(moduleRef.get(SessionAudit).store).toBe(store);

    const pair = await moduleRef.get(TokenService).issueTokens({ id: 'u-1' });
    const [session] = await store.listLiveSessions('u-1', Date.now());
    expect(session?.userId).toBe('u-1');
    expect(pair.refreshToken).toBeTypeOf('string');
  });

  it('provides the RefreshSessions built on that store, whose revocations revoke access tokens too', async () => {
    const store = new MemoryRefreshTokenStore();
    const moduleRef = await boot(store);
    const sessions = moduleRef.get(RefreshSessions);
    expect(sessions).toBeInstanceOf(RefreshSessions);
    const tokens = moduleRef.get(TokenService);
    const pair = await tokens.issueTokens({ id: 'u-2' });
    await expect(tokens.verifyAccessToken(pair.accessToken)).resolves.toMatchObject({
      sub: 'u-2',
    });

    await sessions.revokeAll('u-2');
    await expect(tokens.verifyAccessToken(pair.accessToken)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_REVOKED',
    });
  });

  it('provides null under RefreshTokenStore and RefreshSessions when refresh tokens are off', async () => {
    const moduleRef = await boot(null);
    expect(moduleRef.get(RefreshTokenStore)).toBeNull();
    expect(moduleRef.get(RefreshSessions)).toBeNull();
  });
});
