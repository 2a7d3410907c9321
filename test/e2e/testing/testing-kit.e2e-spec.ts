import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock, generateSigningKey, mintAccessToken } from '../../../lib/testing/index.js';
import { createGuardedTestApp } from '../../support/guarded-test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER } from '../../support/keys.js';

describe('nest-hybrid-auth/testing in an app’s own e2e tests', () => {
  const clock = new FixedClock(Date.now());
  let app: INestApplication;

  beforeAll(async () => {
    const key = await generateSigningKey('EdDSA');
    app = await createGuardedTestApp(
      {
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        algorithm: key.algorithm,
        keys: [{ privateKey: key.privateKey }],
        accessTokenTtl: '5m',
      },
      'express',
      { clock },
    );
  });

  afterAll(async () => {
    await app.close();
  });

  it('mints a token for a user and roles that the app’s guard accepts, without a login', async () => {
    const token = await mintAccessToken(app, { id: 42, roles: ['admin'] });
    const me = await request(app.getHttpServer()).get('/me').auth(token, { type: 'bearer' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ sub: '42', roles: ['admin'] });
    await request(app.getHttpServer()).get('/admin').auth(token, { type: 'bearer' }).expect(200);
  });

  it('enforces roles on minted tokens like on any other', async () => {
    const token = await mintAccessToken(app, { id: 'u1', roles: ['user'] });
    await request(app.getHttpServer()).get('/admin').auth(token, { type: 'bearer' }).expect(403);
  });

  it('lets the fixed clock expire a token without waiting', async () => {
    const token = await mintAccessToken(app, { id: 'u1', roles: ['user'] });
    await request(app.getHttpServer()).get('/me').auth(token, { type: 'bearer' }).expect(200);
    clock.advance(5 * 60 + 60);
    const expired = await request(app.getHttpServer()).get('/me').auth(token, { type: 'bearer' });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('Access token expired');
  });
});
