// Catalogue section I: login and registration abuse (I01-I05, I07-I10) as the sample app's
// contract defines them. I06 (timing) is in timing.e2e-spec.ts.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshEmail,
  registerUser,
  startSecuritySampleApp,
  USER_PASSWORD,
  type SecuritySampleApp,
} from './support/security-sample-app.js';

const login = (app: SecuritySampleApp, body: unknown, path = '/auth/login') =>
  request(app.server)
    .post(path)
    .send(body as object);

function expectNoTokens(response: request.Response): void {
  expect(response.body).not.toHaveProperty('accessToken');
  expect(response.body).not.toHaveProperty('refreshToken');
  expect(response.headers['set-cookie']).toBeUndefined();
}

describe('rate limits of the sample app (THROTTLE_LIMIT=10)', () => {
  let sample: SecuritySampleApp;
  let email: string;

  const fresh = async (ttl = '60s'): Promise<void> => {
    await sample?.close();
    sample = await startSecuritySampleApp({ THROTTLE_LIMIT: '10', THROTTLE_TTL: ttl });
    email = freshEmail();
    // Registration has its own bucket: it does not use up the login attempts.
    await registerUser(sample.server, email);
  };
  afterAll(async () => {
    await sample?.close();
  });

  it('I01 30 wrong passwords then the right one: 429 with Retry-After from the 11th on, no token while limited, usable after the window', async () => {
    await fresh('2s');
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const response = await login(sample, { email, password: 'wrong-password' });
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
      expectNoTokens(response);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited?.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many requests, retry later',
    });
    const right = await login(sample, { email, password: USER_PASSWORD });
    expect(right.status).toBe(429);
    expectNoTokens(right);
    // The limit expires: an attacker cannot make it permanent for the window's length.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect((await login(sample, { email, password: USER_PASSWORD })).status).toBe(200);
  });

  it('I02 one password sprayed over 30 accounts from one client: limited after 10', async () => {
    await fresh();
    const statuses: number[] = [];
    for (let index = 0; index < 30; index += 1)
      statuses.push(
        (await login(sample, { email: freshEmail('spray'), password: 'Summer2026!' })).status,
      );
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
  });

  it('I03 rotating X-Forwarded-For, X-Real-IP, Forwarded and True-Client-IP does not reset the limit', async () => {
    await fresh();
    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      const ip = `203.0.113.${index + 1}`;
      const response = await request(sample.server)
        .post('/auth/login')
        .set('X-Forwarded-For', ip)
        .set('X-Real-IP', ip)
        .set('Forwarded', `for=${ip}`)
        .set('True-Client-IP', ip)
        .send({ email, password: 'wrong-password' });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  });

  it('I04 e-mail case/space variants and route spellings all count against the same bucket', async () => {
    await fresh();
    const variants = [
      email,
      email.toUpperCase(),
      ` ${email} `,
      email.replace(/^./, (c) => c.toUpperCase()),
    ];
    const paths = ['/auth/login', '/auth/login/', '/AUTH/LOGIN', '/auth//login'];
    const statuses: number[] = [];
    for (let index = 0; index < 24; index += 1) {
      const response = await login(
        sample,
        { email: variants[index % variants.length], password: 'wrong-password' },
        paths[index % paths.length],
      );
      statuses.push(response.status);
    }
    // '/auth//login' is no route (404); every other spelling reaches the one handler and bucket.
    const counted = statuses.filter(
      (status, index) => paths[index % paths.length] !== '/auth//login' || status !== 404,
    );
    expect(
      statuses.filter((_status, index) => paths[index % paths.length] === '/auth//login'),
    ).toEqual(Array(6).fill(404));
    expect(counted).toEqual([...Array(10).fill(401), ...Array(8).fill(429)]);
  });
});

describe('login and registration abuse on the sample app', () => {
  let sample: SecuritySampleApp;
  let email: string;

  beforeAll(async () => {
    sample = await startSecuritySampleApp();
    email = freshEmail();
    await registerUser(sample.server, email);
  });
  afterAll(async () => {
    await sample.close();
  });

  it('I05 unknown e-mail and wrong password: identical status, body and headers', async () => {
    const unknown = await login(sample, {
      email: freshEmail('nobody'),
      password: 'wrong-password',
    });
    const wrong = await login(sample, { email, password: 'wrong-password' });
    const malformed = await login(sample, { email: 'not-an-email', password: 'wrong-password' });
    for (const response of [unknown, wrong, malformed]) {
      expect(response.status).toBe(401);
      expectNoTokens(response);
    }
    expect(wrong.text).toBe(unknown.text);
    expect(malformed.text).toBe(unknown.text);
    const comparable = (response: request.Response) => {
      const {
        date,
        ['x-ratelimit-remaining']: _remaining,
        ['x-ratelimit-reset']: _reset,
        ...rest
      } = response.headers;
      expect(date).toBeDefined();
      return rest;
    };
    expect(comparable(wrong)).toEqual(comparable(unknown));
  });

  it.each([
    ['I07 the same e-mail', (e: string) => e],
    ['I07 upper-cased', (e: string) => e.toUpperCase()],
    ['I07 with spaces around', (e: string) => `  ${e} `],
  ])(
    "%s at registration: 409 per the contract (not the catalogue's uniform answer), never a second account",
    async (_id, variant) => {
      const response = await request(sample.server)
        .post('/auth/register')
        .send({ email: variant(email), password: 'other-password-1' });
      expect(response.status).toBe(409);
      expect(response.text).not.toContain('password');
      // The original password still works; the variant did not create or overwrite an account.
      expect((await login(sample, { email, password: USER_PASSWORD })).status).toBe(200);
      expect(
        (await login(sample, { email: variant(email), password: 'other-password-1' })).status,
      ).toBe(401);
    },
  );

  it.each([
    [
      'I08 1 MB password at login',
      '/auth/login',
      () => ({ email, password: 'x'.repeat(1024 * 1024) }),
      [413],
    ],
    [
      'I08 1 MB e-mail at login',
      '/auth/login',
      () => ({ email: `${'x'.repeat(1024 * 1024)}@example.com`, password: 'x' }),
      [413],
    ],
    [
      'I08 1 MB password at registration',
      '/auth/register',
      () => ({ email: freshEmail(), password: 'x'.repeat(1024 * 1024) }),
      [413],
    ],
    [
      'I08 10 KB password at login',
      '/auth/login',
      () => ({ email, password: 'x'.repeat(10 * 1024) }),
      [400],
    ],
    [
      'I08 10 KB password at registration',
      '/auth/register',
      () => ({ email: freshEmail(), password: 'x'.repeat(10 * 1024) }),
      [400],
    ],
    [
      'I08 129-character password at registration',
      '/auth/register',
      () => ({ email: freshEmail(), password: 'x'.repeat(129) }),
      [400],
    ],
    [
      'I09 operator objects at login',
      '/auth/login',
      () => ({ email: { $ne: null }, password: { $ne: null } }),
      [400],
    ],
    [
      'I09 arrays at login',
      '/auth/login',
      () => ({ email: [email], password: [USER_PASSWORD] }),
      [400],
    ],
    ['I09 numbers at login', '/auth/login', () => ({ email: 1, password: 1 }), [400]],
    ['I09 nulls at login', '/auth/login', () => ({ email: null, password: null }), [400]],
    [
      'I09 top-level array at login',
      '/auth/login',
      () => [{ email, password: USER_PASSWORD }],
      [400],
    ],
    [
      'I09 role at registration',
      '/auth/register',
      () => ({ email: freshEmail(), password: USER_PASSWORD, role: 'admin' }),
      [400],
    ],
    [
      'I09 isAdmin at registration',
      '/auth/register',
      () => ({ email: freshEmail(), password: USER_PASSWORD, isAdmin: true }),
      [400],
    ],
    [
      'I09 id at registration',
      '/auth/register',
      () => ({
        email: freshEmail(),
        password: USER_PASSWORD,
        id: '00000000-0000-4000-8000-000000000000',
      }),
      [400],
    ],
    [
      'I09 emailVerified at registration',
      '/auth/register',
      () => ({ email: freshEmail(), password: USER_PASSWORD, emailVerified: true }),
      [400],
    ],
    [
      'I10 7-character password',
      '/auth/register',
      () => ({ email: freshEmail(), password: 'abc1234' }),
      [400],
    ],
  ] as const)('%s: refused (%s), no token, no account', async (_id, path, body, statuses) => {
    const payload = body();
    const response = await request(sample.server)
      .post(path)
      .send(payload as object);
    expect(statuses as readonly number[]).toContain(response.status);
    expectNoTokens(response);
    expect(Object.keys(response.body as object).sort()).toEqual(['error', 'message', 'statusCode']);
    // No account was created: logging in with the attempted e-mail and the usual password fails.
    const candidate = (payload as { email?: unknown }).email;
    const probe =
      path === '/auth/register' && typeof candidate === 'string' && candidate.length < 300
        ? candidate
        : freshEmail('none');
    expect((await login(sample, { email: probe, password: USER_PASSWORD })).status).toBe(401);
  });

  it('I09 a __proto__ member at registration: refused, or dropped with a plain user and no pollution', async () => {
    const address = freshEmail();
    const body = `{"email":"${address}","password":"${USER_PASSWORD}","__proto__":{"roles":["admin"],"isAdmin":true}}`;
    const response = await request(sample.server)
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send(body);
    expect([201, 400]).toContain(response.status);
    expect(response.status === 400 || JSON.stringify(response.body.roles) === '["user"]').toBe(
      true,
    );
    expect(({} as { roles?: unknown }).roles).toBeUndefined();
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    const other = await request(sample.server)
      .post('/auth/register')
      .send({ email: freshEmail(), password: USER_PASSWORD });
    expect(other.body.roles).toEqual(['user']);
  });

  it('I08 a 64-character and a 128-character password are allowed', async () => {
    for (const length of [64, 128]) {
      const address = freshEmail();
      const password = 'p'.repeat(length);
      await request(sample.server)
        .post('/auth/register')
        .send({ email: address, password })
        .expect(201);
      expect((await login(sample, { email: address, password })).status).toBe(200);
    }
  });
});
