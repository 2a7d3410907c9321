import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../../lib/index.js';
import { createGuardedTestApp } from '../../support/guarded-test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER, testAuthOptions, testKeyPair } from '../../support/keys.js';

describe('a verify-only service trusting the issuer’s JWKS', () => {
  let issuer: INestApplication;
  let service: INestApplication;
  let jwksHits = 0;

  beforeAll(async () => {
    issuer = await createGuardedTestApp(testAuthOptions('ES256'));
    issuer.getHttpServer().on('request', (req: { url: string }) => {
      if (req.url.startsWith('/.well-known/jwks.json')) jwksHits += 1;
    });
    await issuer.listen(0, '127.0.0.1');
    const { port } = issuer.getHttpServer().address() as { port: number };
    service = await createGuardedTestApp({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      algorithm: 'ES256',
      jwks: { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, cooldownDuration: '30s' },
    });
  });

  afterAll(async () => {
    await service.close();
    await issuer.close();
  });

  it('accepts the issuer’s tokens with keys fetched from its JWKS', async () => {
    const { token } = await issuer
      .get(TokenService)
      .issueAccessToken({ id: 'u1', roles: ['admin'] });
    await request(service.getHttpServer())
      .get('/admin')
      .auth(token, { type: 'bearer' })
      .expect(200);
    const me = await request(service.getHttpServer())
      .get('/me')
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(me.body).toMatchObject({ sub: 'u1', iss: TEST_ISSUER });
    expect(jwksHits).toBe(1);
  });

  it('refuses a token signed by a key the JWKS does not hold, without hammering the issuer', async () => {
    const before = jwksHits;
    const { privateKey } = testKeyPair('ES256', 'attacker');
    const attacker = await createGuardedTestApp(
      testAuthOptions('ES256', { keys: [{ kid: 'unknown-kid', privateKey }] }),
    );
    try {
      const { token } = await attacker
        .get(TokenService)
        .issueAccessToken({ id: 'u1', roles: ['admin'] });
      for (let attempt = 0; attempt < 20; attempt += 1) {
        await request(service.getHttpServer())
          .get('/admin')
          .auth(token, { type: 'bearer' })
          .expect(401);
      }
      // jose refetches on an unknown kid at most once per cooldown.
      expect(jwksHits - before).toBeLessThanOrEqual(1);
    } finally {
      await attacker.close();
    }
  });

  it('cannot issue tokens, and says why', async () => {
    await expect(service.get(TokenService).issueTokens({ id: 'u1' })).rejects.toMatchObject({
      code: 'ERR_AUTH_SIGNING_NOT_CONFIGURED',
    });
    await expect(issuer.get(TokenService).issueTokens({ id: 'u1' })).rejects.toMatchObject({
      code: 'ERR_AUTH_REFRESH_NOT_CONFIGURED',
    });
    await expect(service.get(TokenService).issueAccessToken({ id: 'u1' })).rejects.toMatchObject({
      code: 'ERR_AUTH_SIGNING_NOT_CONFIGURED',
    });
  });
});
