import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TokenService, type TokenPair } from '../../../lib/index.js';
import { UsersService } from '../../../sample-app/src/users/users.service.js';
import {
  bearer,
  expectErrorBody,
  login,
  newEmail,
  register,
  signUp,
} from '../../support/http-helpers.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

// Issue 9, deliverable 5: the sample app is safe to copy. The rate-limit cases run at the
// sample app's defaults (THROTTLE_LIMIT / THROTTLE_TTL unset: 10 per 60 s per address).
const DEFAULT_THROTTLE = { THROTTLE_LIMIT: undefined, THROTTLE_TTL: undefined };

describe('sample app: the admin bootstrap takes over an address registered first', () => {
  let dir: string;
  let sample: SampleTestApp | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sample-admin-'));
  });
  afterEach(async () => {
    await sample?.close();
    sample = undefined;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('revokes every session (refresh and access tokens) of the account it promotes', async () => {
    const sqlite = join(dir, 'takeover.sqlite');
    const address = newEmail('squatter');
    // Someone registers the future admin address before the operator configures it.
    sample = await startSampleApp({
      SQLITE_PATH: sqlite,
      SAMPLE_ADMIN_EMAIL: undefined,
      SAMPLE_ADMIN_PASSWORD: undefined,
    });
    await register(sample.server, address, 'squatter-password');
    const first = await login(sample.server, address, 'squatter-password');
    const second = await login(sample.server, address, 'squatter-password', 'other device');
    await sample.close();

    sample = await startSampleApp({
      SQLITE_PATH: sqlite,
      SAMPLE_ADMIN_EMAIL: address,
      SAMPLE_ADMIN_PASSWORD: 'operator-password',
    });
    const http = () => request(sample!.server);
    for (const pair of [first, second]) {
      // The refresh token would now mint an access token carrying "admin".
      const refreshed = await http()
        .post('/auth/refresh')
        .send({ refreshToken: pair.refreshToken });
      expect(refreshed.status).toBe(401);
      // The live access token is deny-listed too, not left to run out its lifetime.
      expect((await http().get('/me').set('Authorization', bearer(pair))).status).toBe(401);
      expect((await http().get('/admin/users').set('Authorization', bearer(pair))).status).toBe(
        401,
      );
    }
    // The old password no longer opens anything; the operator's does, with the admin role.
    expect(
      (await http().post('/auth/login').send({ email: address, password: 'squatter-password' }))
        .status,
    ).toBe(401);
    const admin = await login(sample.server, address, 'operator-password');
    await http().get('/admin/users').set('Authorization', bearer(admin)).expect(200);
  });
});

describe('sample app: POST /auth/password', () => {
  let sample: SampleTestApp;
  const http = () => request(sample.server);

  beforeAll(async () => {
    sample = await startSampleApp();
  });
  afterAll(async () => {
    await sample?.close();
  });

  it('changes the password and revokes every session of the user, this one included', async () => {
    const { email, tokens } = await signUp(sample.server, 'pw');
    const otherDevice = await login(sample.server, email, 'password-123', 'other device');
    const bystander = await signUp(sample.server, 'bystander');

    await http()
      .post('/auth/password')
      .set('Authorization', bearer(tokens))
      .send({ currentPassword: 'password-123', newPassword: 'a-new-password' })
      .expect(204);

    for (const pair of [tokens, otherDevice]) {
      expect(
        (await http().post('/auth/refresh').send({ refreshToken: pair.refreshToken })).status,
      ).toBe(401);
      const me = await http().get('/me').set('Authorization', bearer(pair));
      expect(me.status).toBe(401);
      expectErrorBody(me.body, 401);
    }
    expect(
      (await http().post('/auth/login').send({ email, password: 'password-123' })).status,
    ).toBe(401);
    await login(sample.server, email, 'a-new-password');
    // Another user's sessions are untouched.
    await http().get('/me').set('Authorization', bearer(bystander.tokens)).expect(200);
  });

  it('answers 401 for a wrong current password and keeps the sessions', async () => {
    const { email, tokens } = await signUp(sample.server, 'pw-wrong');
    const response = await http()
      .post('/auth/password')
      .set('Authorization', bearer(tokens))
      .send({ currentPassword: 'not-my-password', newPassword: 'a-new-password' });
    expect(response.status).toBe(401);
    expectErrorBody(response.body, 401);
    await http().get('/me').set('Authorization', bearer(tokens)).expect(200);
    await login(sample.server, email, 'password-123');
  });

  it.each([
    ['a 7-character new password', { currentPassword: 'password-123', newPassword: '1234567' }],
    ['a missing current password', { newPassword: 'a-new-password' }],
    [
      'an unknown field',
      { currentPassword: 'password-123', newPassword: 'a-new-password', roles: ['admin'] },
    ],
    ['a non-string new password', { currentPassword: 'password-123', newPassword: 12345678 }],
  ])('answers 400 for %s', async (_case, body) => {
    const { tokens } = await signUp(sample.server, 'pw-bad');
    const response = await http()
      .post('/auth/password')
      .set('Authorization', bearer(tokens))
      .send(body);
    expect(response.status).toBe(400);
    expectErrorBody(response.body, 400);
    await http().get('/me').set('Authorization', bearer(tokens)).expect(200);
  });

  it('answers 401 without a token', async () => {
    const response = await http()
      .post('/auth/password')
      .send({ currentPassword: 'password-123', newPassword: 'a-new-password' });
    expect(response.status).toBe(401);
  });
});

describe('sample app: rate limits protect credentials, not tokens (defaults)', () => {
  let sample: SampleTestApp | undefined;
  afterEach(async () => {
    await sample?.close();
    sample = undefined;
  });

  /** A session opened without a login request, so only refreshes reach the rate limiter. */
  async function openSession(app: SampleTestApp, prefix: string): Promise<TokenPair> {
    const user = await app.app.get(UsersService).register(newEmail(prefix), 'password-123');
    if (user === null) throw new Error('registration failed');
    return app.app.get(TokenService).issueTokens({ id: user.id, roles: user.roles });
  }

  it('8 tabs of one session racing within the grace window, over two renewals, all get 200', async () => {
    sample = await startSampleApp(DEFAULT_THROTTLE);
    const server = sample.server;
    let pair = await openSession(sample, 'tabs');
    for (let renewal = 0; renewal < 2; renewal += 1) {
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(server).post('/auth/refresh').send({ refreshToken: pair.refreshToken }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
      // One successor for all tabs: the session never forks.
      const successors = new Set(
        responses.map((response) => (response.body as TokenPair).refreshToken),
      );
      expect(successors.size).toBe(1);
      pair = responses[0]!.body as TokenPair;
    }
    await request(server).get('/me').set('Authorization', bearer(pair)).expect(200);
  });

  it('20 users behind one address refreshing once each all get 200', async () => {
    sample = await startSampleApp(DEFAULT_THROTTLE);
    const app = sample;
    const pairs = await Promise.all(
      Array.from({ length: 20 }, (_, index) => openSession(app, `nat-${index}`)),
    );
    const responses = await Promise.all(
      pairs.map((pair) =>
        request(app.server).post('/auth/refresh').send({ refreshToken: pair.refreshToken }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
  });

  it('limits login and register per address (429 with Retry-After), and refresh from that address still works', async () => {
    sample = await startSampleApp(DEFAULT_THROTTLE);
    const server = sample.server;
    const email = newEmail('limited');
    await sample.app.get(UsersService).register(email, 'password-123');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      statuses.push(
        (await request(server).post('/auth/login').send({ email, password: 'wrong-password' }))
          .status,
      );
    }
    expect(statuses).toEqual(Array(10).fill(401));
    // The right password does not get through either: the limit is on the address.
    const limited = await request(server)
      .post('/auth/login')
      .send({ email, password: 'password-123' });
    expect(limited.status).toBe(429);
    expectErrorBody(limited.body, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    for (let attempt = 0; attempt < 10; attempt += 1) {
      await request(server)
        .post('/auth/register')
        .send({ email: newEmail('reg'), password: 'password-123' })
        .expect(201);
    }
    const registerLimited = await request(server)
      .post('/auth/register')
      .send({ email: newEmail('reg'), password: 'password-123' });
    expect(registerLimited.status).toBe(429);
    expect(Number(registerLimited.headers['retry-after'])).toBeGreaterThan(0);

    // The same address keeps refreshing, more often than the credential limit allows.
    let pair = await openSession(sample, 'limited-refresh');
    for (let renewal = 0; renewal < 12; renewal += 1) {
      const refreshed = await request(server)
        .post('/auth/refresh')
        .send({ refreshToken: pair.refreshToken });
      expect(refreshed.status).toBe(200);
      pair = refreshed.body as TokenPair;
    }
  });
});
