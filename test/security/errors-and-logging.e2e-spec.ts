// Catalogue section K: uniform failures (K01) and security logging (K02), with every log line
// of the sample app captured by a custom Nest logger.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeyPair } from '../support/keys.js';
import { b64u, signCompact, splitToken } from '../support/forge.js';
import {
  freshEmail,
  loginUser,
  refreshWith,
  registerUser,
  SAMPLE_ADMIN,
  startSecuritySampleApp,
  USER_PASSWORD,
  type SecuritySampleApp,
} from './support/security-sample-app.js';
import { sidOf } from './support/sample-db.js';
import {
  adminClaims,
  genuineHeader,
  getWith,
  mint,
  TARGET_FACTORIES,
  userClaims,
  type ForgeTarget,
} from './support/targets.js';

describe.each(TARGET_FACTORIES)('K01 uniform failures on the $name', ({ start }) => {
  let target: ForgeTarget;

  beforeAll(async () => {
    target = await start();
  });
  afterAll(async () => {
    await target.close();
  });

  it('expired, bad signature, malformed, unknown kid and wrong audience: one status and body shape, no library codes', async () => {
    const now = Math.floor(target.clock.now() / 1000);
    const { h, s } = splitToken(await target.userToken());
    const failures: Record<string, string> = {
      expired: mint(target, userClaims(target, { iat: now - 400, exp: now - 60 })),
      badSignature: `${h}.${b64u(adminClaims(target))}.${s}`,
      malformed: 'eyJhbGciOi.broken',
      unknownKid: mint(target, userClaims(target), genuineHeader(target, { kid: 'unknown' })),
      wrongAudience: mint(target, userClaims(target, { aud: 'other-api' })),
      foreignKey: signCompact(
        genuineHeader(target),
        userClaims(target),
        'ES256',
        testKeyPair('ES256', 'attacker').privateKey,
      ),
    };
    const responses = await Promise.all(
      Object.entries(failures).map(
        async ([name, token]) =>
          [name, await getWith(target, target.meRoute, `Bearer ${token}`)] as const,
      ),
    );
    for (const [name, response] of responses) {
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expect(Object.keys(response.body as object).sort()).toEqual([
        'error',
        'message',
        'statusCode',
      ]);
      expect(response.body.error).toBe('Unauthorized');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      expect(response.text).not.toMatch(/ERR_|JWS|JWT|jose|claim|"exp"|"aud"|stack/i);
      // Only "expired" is told apart (the client should refresh); every other cause is one answer.
      expect(response.body.message).toBe(
        name === 'expired' ? 'Access token expired' : 'Invalid access token',
      );
    }
    const others = responses
      .filter(([name]) => name !== 'expired')
      .map(([, response]) => [response.text, response.headers['www-authenticate']]);
    expect(new Set(others.map((entry) => JSON.stringify(entry))).size).toBe(1);
  });
});

describe('K02 security logging of the sample app', () => {
  let sample: SecuritySampleApp;
  const secrets: string[] = [];
  let reusedSid = '';
  let userId = '';

  beforeAll(async () => {
    sample = await startSecuritySampleApp({ AUTH_REFRESH_GRACE: '5s' });
    const email = freshEmail();
    userId = await registerUser(sample.server, email);
    const pair = await loginUser(sample.server, email);
    const admin = await loginUser(sample.server, SAMPLE_ADMIN.email, SAMPLE_ADMIN.password);
    const rotated = (await refreshWith(sample.server, pair.refreshToken).expect(200)).body as {
      accessToken: string;
      refreshToken: string;
    };
    sample.clock.advance(6);
    await refreshWith(sample.server, pair.refreshToken).expect(401);
    reusedSid = sidOf(pair);
    await request(sample.server)
      .post('/auth/login')
      .send({ email, password: 'wrong-password-1' })
      .expect(401);
    await request(sample.server)
      .post('/auth/login')
      .send({ email: freshEmail(), password: USER_PASSWORD })
      .expect(401);
    await request(sample.server)
      .post('/auth/register')
      .send({ email, password: 'another-password' })
      .expect(409);
    await request(sample.server)
      .post('/auth/register')
      .send({ email: 'bad', password: 'short' })
      .expect(400);
    await request(sample.server)
      .get('/me')
      .set('Authorization', `Bearer ${pair.accessToken}x`)
      .expect(401);
    await request(sample.server)
      .get('/me')
      .set('Authorization', `Bearer ${pair.refreshToken}`)
      .expect(401);
    await request(sample.server).get(`/nowhere?access_token=${pair.accessToken}`).expect(404);
    await request(sample.server)
      .post('/auth/refresh')
      .set('Content-Type', 'application/json')
      .send(`{"refreshToken":"${pair.refreshToken}`)
      .expect(400);
    await request(sample.server)
      .post('/auth/logout')
      .send({ refreshToken: rotated.refreshToken })
      .expect(204);
    await request(sample.server)
      .post('/auth/logout')
      .send({ refreshToken: admin.refreshToken })
      .expect(204);
    secrets.push(
      pair.accessToken,
      pair.refreshToken,
      rotated.accessToken,
      rotated.refreshToken,
      admin.accessToken,
      admin.refreshToken,
      splitToken(pair.accessToken).s,
      USER_PASSWORD,
      'wrong-password-1',
      'another-password',
      SAMPLE_ADMIN.password,
    );
  });
  afterAll(async () => {
    await sample.close();
  });

  it('logs the reuse detection with the session and user ids', () => {
    const reuse = sample.logs.entries.filter((entry) => /reuse detected/i.test(entry.text));
    expect(reuse).toHaveLength(1);
    expect(reuse[0]?.level).toBe('warn');
    expect(reuse[0]?.text).toContain(reusedSid);
    expect(reuse[0]?.text).toContain(userId);
  });

  it('never logs a raw access or refresh token, a password, or key material', () => {
    const text = sample.logs.text;
    expect(sample.logs.entries.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text).not.toContain(secret);
    // Any JWS-looking or refresh-token-looking string at all.
    expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\./);
    expect(text).not.toMatch(/[A-Za-z0-9_-]{86}/);
    const key = testKeyPair('ES256');
    for (const line of key.privatePem.split('\n').slice(1, -2)) expect(text).not.toContain(line);
    expect(text).not.toContain(String(key.privateJwk.d));
    expect(text).not.toMatch(/PRIVATE KEY|scrypt\$/);
  });
});
