import { parseSetCookie } from 'cookie';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectErrorBody, newEmail, register } from '../../support/http-helpers.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

const COOKIE = '__Secure-refresh_token';
const HOST = 'api.sample.test';
const OWN_ORIGIN = `http://${HOST}`;
const ALLOWED_ORIGIN = 'https://app.sample.test';
const GRACE_SECONDS = 5;

interface CookieLogin {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly setCookie: string;
}

function setCookieOf(response: request.Response): string[] {
  const header = response.headers['set-cookie'] as string[] | string | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

function cookieValue(response: request.Response): string {
  const [header] = setCookieOf(response);
  expect(header, 'Set-Cookie').toBeDefined();
  return parseSetCookie(header!).value ?? '';
}

describe.each(['express', 'fastify'])('cookie mode for browser clients (%s)', (adapter) => {
  let sample: SampleTestApp;

  beforeAll(async () => {
    sample = await startSampleApp({
      HTTP_ADAPTER: adapter,
      AUTH_ALLOWED_ORIGINS: `${ALLOWED_ORIGIN}, https://other.sample.test`,
    });
  });
  afterAll(async () => {
    await sample?.close();
  });

  async function cookieLogin(): Promise<CookieLogin> {
    const email = newEmail('cookie');
    await register(sample.server, email);
    const response = await request(sample.server)
      .post('/auth/login')
      .set('X-Refresh-Transport', 'cookie')
      .send({ email, password: 'password-123' })
      .expect(200);
    const [setCookie] = setCookieOf(response);
    return {
      accessToken: (response.body as { accessToken: string }).accessToken,
      refreshToken: cookieValue(response),
      setCookie: setCookie!,
    };
  }

  /** A refresh that carries the cookie, with the given extra headers. */
  function cookieRefresh(
    refreshToken: string,
    headers: Record<string, string> = { 'X-Refresh-Transport': 'cookie' },
    route = '/auth/refresh',
  ): request.Test {
    const call = request(sample.server)
      .post(route)
      .set('Host', HOST)
      .set('Cookie', `theme=dark; ${COOKIE}=${refreshToken}`);
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call;
  }

  /**
   * The token is unspent: presented after the grace window, a spent token would count as
   * reuse (401, session revoked); an unspent one rotates.
   */
  async function expectUnspent(refreshToken: string): Promise<void> {
    sample.clock.advance(GRACE_SECONDS + 1);
    const response = await cookieRefresh(refreshToken).expect(200);
    expect(cookieValue(response)).not.toBe(refreshToken);
  }

  it('login answers the pair without refreshToken and sets the HttpOnly cookie', async () => {
    const email = newEmail('cookie');
    await register(sample.server, email);
    const response = await request(sample.server)
      .post('/auth/login')
      .set('X-Refresh-Transport', 'cookie')
      .send({ email, password: 'password-123' })
      .expect(200);
    const body = response.body as Record<string, unknown>;
    expect(Object.keys(body).toSorted()).toEqual([
      'accessToken',
      'expiresIn',
      'refreshExpiresIn',
      'tokenType',
    ]);
    expect(response.headers['cache-control']).toBe('no-store');
    const cookies = setCookieOf(response);
    expect(cookies).toHaveLength(1);
    const value = parseSetCookie(cookies[0]!).value ?? '';
    expect(value).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(cookies[0]).toBe(
      `${COOKIE}=${value}; Max-Age=${String(body.refreshExpiresIn)}; Path=/auth; HttpOnly; Secure; SameSite=Strict`,
    );
    const me = await request(sample.server)
      .get('/me')
      .set('Authorization', bearer(body as { accessToken: string }))
      .expect(200);
    expect((me.body as { email: string }).email).toBe(email);
  });

  it('JSON clients are unchanged: no header, refreshToken in the body, no cookie', async () => {
    const email = newEmail('json');
    await register(sample.server, email);
    const login = await request(sample.server)
      .post('/auth/login')
      .send({ email, password: 'password-123' })
      .expect(200);
    expect(login.body).toHaveProperty('refreshToken');
    expect(setCookieOf(login)).toEqual([]);
    const refreshed = await request(sample.server)
      .post('/auth/refresh')
      .send({ refreshToken: (login.body as { refreshToken: string }).refreshToken })
      .expect(200);
    expect(refreshed.body).toHaveProperty('refreshToken');
    expect(setCookieOf(refreshed)).toEqual([]);
    const empty = await request(sample.server).post('/auth/refresh').send({}).expect(400);
    expectErrorBody(empty.body, 400);
  });

  it.each([
    ['no body', (test: request.Test) => test],
    ['{}', (test: request.Test) => test.send({})],
  ])(
    'refresh reads the cookie when the body has none (%s) and sets the successor',
    async (_case, body) => {
      const { refreshToken } = await cookieLogin();
      const response = await body(cookieRefresh(refreshToken)).expect(200);
      expect(response.body).not.toHaveProperty('refreshToken');
      expect(response.headers['cache-control']).toBe('no-store');
      const successor = cookieValue(response);
      expect(successor).not.toBe(refreshToken);
      expect(setCookieOf(response)[0]).toMatch(
        new RegExp(
          `; Max-Age=${String((response.body as { refreshExpiresIn: number }).refreshExpiresIn)}; Path=/auth; HttpOnly; Secure; SameSite=Strict$`,
        ),
      );
    },
  );

  it('a grace-window replay sets the same successor cookie', async () => {
    const { refreshToken } = await cookieLogin();
    const first = await cookieRefresh(refreshToken).expect(200);
    const replay = await cookieRefresh(refreshToken).expect(200);
    expect(cookieValue(replay)).toBe(cookieValue(first));
  });

  it('a body token with the header answers in cookie mode', async () => {
    const email = newEmail('mixed');
    await register(sample.server, email);
    const login = await request(sample.server)
      .post('/auth/login')
      .send({ email, password: 'password-123' })
      .expect(200);
    const response = await request(sample.server)
      .post('/auth/refresh')
      .set('X-Refresh-Transport', 'cookie')
      .send({ refreshToken: (login.body as { refreshToken: string }).refreshToken })
      .expect(200);
    expect(response.body).not.toHaveProperty('refreshToken');
    expect(cookieValue(response)).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('a cookie-mode refresh without a cookie answers 401 and sets nothing', async () => {
    const response = await request(sample.server)
      .post('/auth/refresh')
      .set('X-Refresh-Transport', 'cookie')
      .expect(401);
    expectErrorBody(response.body, 401);
    expect(setCookieOf(response)).toEqual([]);
  });

  describe.each(['/auth/refresh', '/auth/logout'])('CSRF on %s', (route) => {
    it.each<[string, Record<string, string>]>([
      ['no X-Refresh-Transport header', {}],
      ['no header, own Origin', { Origin: OWN_ORIGIN }],
      ['a foreign Origin', { 'X-Refresh-Transport': 'cookie', Origin: 'https://evil.test' }],
      ['Origin: null', { 'X-Refresh-Transport': 'cookie', Origin: 'null' }],
      [
        'the own host on another port',
        { 'X-Refresh-Transport': 'cookie', Origin: `${OWN_ORIGIN}:8443` },
      ],
    ])('refuses %s with 403, spends nothing and keeps the cookie', async (_case, headers) => {
      const { accessToken, refreshToken } = await cookieLogin();
      const response = await cookieRefresh(refreshToken, headers, route).send({}).expect(403);
      expectErrorBody(response.body, 403);
      expect((response.body as { message: string }).message).toBe('Cross-site request refused');
      expect(setCookieOf(response)).toEqual([]);
      // The session is untouched: its access token works and its refresh token is unspent.
      await request(sample.server)
        .get('/me')
        .set('Authorization', `Bearer ${accessToken}`)
        .expect(200);
      await expectUnspent(refreshToken);
    });
  });

  const ACCEPTED: [string, Record<string, string>][] = [
    ['the header and no Origin', { 'X-Refresh-Transport': 'cookie' }],
    ['the own origin', { 'X-Refresh-Transport': 'cookie', Origin: OWN_ORIGIN }],
    [
      'an origin from AUTH_ALLOWED_ORIGINS',
      { 'X-Refresh-Transport': 'cookie', Origin: ALLOWED_ORIGIN },
    ],
  ];

  it.each(ACCEPTED)('CSRF on /auth/refresh accepts %s', async (_case, headers) => {
    const { refreshToken } = await cookieLogin();
    const response = await cookieRefresh(refreshToken, headers).expect(200);
    expect(cookieValue(response)).not.toBe(refreshToken);
  });

  it.each(ACCEPTED)(
    'CSRF on /auth/logout accepts %s: clears the cookie, ends the session',
    async (_case, headers) => {
      const { accessToken, refreshToken } = await cookieLogin();
      const response = await cookieRefresh(refreshToken, headers, '/auth/logout').expect(204);
      expect(setCookieOf(response)).toEqual([
        `${COOKIE}=; Max-Age=0; Path=/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict`,
      ]);
      // That session's access tokens stop working, and its refresh token with them.
      await request(sample.server)
        .get('/me')
        .set('Authorization', `Bearer ${accessToken}`)
        .expect(401);
      await cookieRefresh(refreshToken).expect(401);
    },
  );

  it('logout without a cookie in cookie mode answers 204 and clears the cookie', async () => {
    const response = await request(sample.server)
      .post('/auth/logout')
      .set('X-Refresh-Transport', 'cookie')
      .expect(204);
    expect(cookieValue(response)).toBe('');
  });

  it('logout without a cookie or body token outside cookie mode stays a 400', async () => {
    const response = await request(sample.server).post('/auth/logout').send({}).expect(400);
    expectErrorBody(response.body, 400);
  });
});
