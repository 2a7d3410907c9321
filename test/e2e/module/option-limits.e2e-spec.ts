import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import {
  AuthModule,
  MemoryRefreshTokenStore,
  TokenService,
  type AuthModuleOptions,
} from '../../../lib/index.js';
import { testAuthOptions } from '../../support/keys.js';

async function boot(options: AuthModuleOptions): Promise<{
  tokens: TokenService;
  close: () => Promise<void>;
}> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot(options)],
  }).compile();
  await moduleRef.init();
  return { tokens: moduleRef.get(TokenService), close: () => moduleRef.close() };
}

describe('the longest lifetimes the options accept', () => {
  // The bounds exist because a lifetime that passed validation made every login fail; the
  // longest accepted ones must therefore still log in, refresh and log out.
  it('still log in, refresh and log out (24 h access tokens, 100-year sessions)', async () => {
    const { tokens, close } = await boot(
      testAuthOptions('ES256', {
        accessTokenTtl: '24h',
        refresh: {
          store: new MemoryRefreshTokenStore(),
          ttl: '100y',
          idleTtl: '100y',
          pruneRevokedAfter: '100y',
          resolveUser: (id) => ({ id, roles: ['user'] }),
        },
      }),
    );
    try {
      const pair = await tokens.issueTokens({ id: 'u1', roles: ['user'] });
      expect(pair).toMatchObject({ expiresIn: 86_400, refreshExpiresIn: 3_155_760_000 });
      const claims = await tokens.verifyAccessToken(pair.accessToken);
      expect(claims.exp - claims.iat).toBe(86_400);
      const rotated = await tokens.refresh(pair.refreshToken);
      await tokens.verifyAccessToken(rotated.accessToken);
      await tokens.logout(rotated.refreshToken);
      await expect(tokens.refresh(rotated.refreshToken)).rejects.toMatchObject({
        code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
      });
      expect(await tokens.prune()).toBeGreaterThanOrEqual(0);
    } finally {
      await close();
    }
  });
});
