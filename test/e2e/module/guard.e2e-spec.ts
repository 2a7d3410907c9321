import type { INestApplication } from '@nestjs/common';
import { exportPKCS8, generateKeyPair } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenService, type AuthModuleOptions } from '../../../lib/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import {
  createGuardedTestApp,
  handlerRuns,
  type HttpEngine,
} from '../../support/guarded-test-app.js';

/** The refusal a client relies on: status, RFC 6750 challenge, one body shape, handler not run. */
function expectRefusal(
  response: request.Response,
  status: 401 | 403,
  message: string,
  challenge: string,
): void {
  expect(response.status).toBe(status);
  expect(response.headers['www-authenticate']).toBe(challenge);
  expect(response.body).toEqual({
    statusCode: status,
    error: status === 401 ? 'Unauthorized' : 'Forbidden',
    message,
  });
  expect(handlerRuns.count).toBe(0);
}

async function options(): Promise<AuthModuleOptions> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    issuer: 'https://auth.test',
    audience: 'test-api',
    keys: [{ kid: 'k1', privateKey: await exportPKCS8(privateKey) }],
    accessTokenTtl: '5m',
  };
}

describe.each<HttpEngine>(['express', 'fastify'])('AccessTokenGuard over HTTP on %s', (engine) => {
  let app: INestApplication;
  let tokens: TokenService;
  const clock = new FixedClock(Date.now());
  const issue = async (roles: string[], id = 'user-1') =>
    (await tokens.issueAccessToken({ id, roles })).token;

  beforeAll(async () => {
    app = await createGuardedTestApp(await options(), engine, { clock });
    tokens = app.get(TokenService);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    handlerRuns.count = 0;
  });

  it('lets anyone reach a @Public() route', async () => {
    await request(app.getHttpServer()).get('/health').expect(200, { status: 'ok' });
  });

  it('refuses a request without a token with 401 and a bare Bearer challenge', async () => {
    const response = await request(app.getHttpServer()).get('/me');
    expectRefusal(response, 401, 'Missing access token', 'Bearer');
  });

  it('attaches the verified claims for @CurrentUser()', async () => {
    const token = await issue(['user']);
    const response = await request(app.getHttpServer())
      .get('/me')
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(response.body).toMatchObject({
      sub: 'user-1',
      roles: ['user'],
      iss: 'https://auth.test',
      aud: 'test-api',
    });
    const sub = await request(app.getHttpServer())
      .get('/me/sub')
      .set('Authorization', `bearer ${token}`);
    expect(sub.body).toEqual({ sub: 'user-1' });
  });

  it('refuses a tampered token with invalid_token and never runs the handler', async () => {
    const [header, payload, signature] = (await issue(['user'])).split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        roles: ['admin'],
      }),
    ).toString('base64url');
    const response = await request(app.getHttpServer())
      .get('/admin')
      .set('Authorization', `Bearer ${header}.${forged}.${signature}`);
    expectRefusal(response, 401, 'Invalid access token', 'Bearer error="invalid_token"');
  });

  it('tells an expired token apart so the client knows to refresh', async () => {
    const token = await issue(['user']);
    clock.advance(5 * 60 + 60);
    try {
      const response = await request(app.getHttpServer())
        .get('/me')
        .auth(token, { type: 'bearer' })
        .expect(401);
      expect(response.body.message).toBe('Access token expired');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    } finally {
      clock.advance(-(5 * 60 + 60));
    }
  });

  it('lets anonymous callers through @OptionalAuth() but still refuses a bad token', async () => {
    await request(app.getHttpServer()).get('/maybe').expect(200, { user: null });
    const token = await issue(['user'], 'user-2');
    await request(app.getHttpServer())
      .get('/maybe')
      .auth(token, { type: 'bearer' })
      .expect(200, { user: 'user-2' });
    await request(app.getHttpServer())
      .get('/maybe')
      .set('Authorization', 'Bearer not.a.token')
      .expect(401);
  });

  it('answers 403 insufficient_scope to a valid token that lacks the class role', async () => {
    const response = await request(app.getHttpServer())
      .get('/admin')
      .auth(await issue(['user']), { type: 'bearer' });
    expectRefusal(response, 403, 'Insufficient role', 'Bearer error="insufficient_scope"');
    await request(app.getHttpServer())
      .get('/admin')
      .auth(await issue(['admin']), { type: 'bearer' })
      .expect(200);
  });

  it('lets the method roles replace the class roles (any one of them suffices)', async () => {
    const admin = await issue(['admin']);
    await request(app.getHttpServer())
      .get('/admin/tickets')
      .auth(admin, { type: 'bearer' })
      .expect(403);
    const auditor = await issue(['auditor']);
    await request(app.getHttpServer())
      .get('/admin/tickets')
      .auth(auditor, { type: 'bearer' })
      .expect(200);
  });

  it('checks roles only after authentication: no token on a role route is 401, not 403', async () => {
    await request(app.getHttpServer()).get('/admin').expect(401);
  });

  it('never reads the token from the query string unless the app opts in', async () => {
    const token = await issue(['user']);
    await request(app.getHttpServer()).get(`/me?access_token=${token}`).expect(401);
  });

  it('refuses a revoked access token before its expiry', async () => {
    const token = await issue(['user']);
    const claims = await tokens.verifyAccessToken(token);
    await request(app.getHttpServer()).get('/me').auth(token, { type: 'bearer' }).expect(200);
    await tokens.revokeAccessToken(claims);
    const response = await request(app.getHttpServer())
      .get('/me')
      .auth(token, { type: 'bearer' })
      .expect(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('publishes the public keys only, with kid, alg and use', async () => {
    const response = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    expect(response.body.keys).toHaveLength(1);
    const [key] = response.body.keys;
    expect(key).toMatchObject({ kid: 'k1', alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
    expect(key).not.toHaveProperty('d');
  });
});
