import request from 'supertest';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenPair } from '../../../../lib/index.js';
import {
  bearer,
  expectErrorBody,
  login,
  newEmail,
  register,
  signUp,
} from '../../../support/http-helpers.js';
import { ADMIN, type SampleTestApp } from '../../../support/sample-app.js';

/**
 * The sample-app contract (`/work/shared/sample-app-contract.md`) as one flow of tests, run
 * against every database and HTTP engine. Call inside a `describe`; `start` boots the app.
 */
export function contractFlow(start: () => Promise<SampleTestApp>): void {
  let sample: SampleTestApp;
  const http = () => request(sample.server);

  beforeAll(async () => {
    sample = await start();
  });
  afterAll(async () => {
    await sample?.close();
  });

  it('answers GET /health with 200 { status: "ok" }', async () => {
    const response = await http().get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('registers a user with the user role and a normalised email', async () => {
    const email = newEmail('Reg');
    const response = await http()
      .post('/auth/register')
      .send({ email: `  ${email.toUpperCase()} `, password: 'password-123' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      roles: ['user'],
    });
    expect(JSON.stringify(response.body)).not.toContain('password');
  });

  it('answers 409 when the email, in any case, is taken', async () => {
    const email = newEmail('dup');
    await register(sample.server, email);
    const response = await http()
      .post('/auth/register')
      .send({ email: email.toUpperCase(), password: 'password-456' });
    expect(response.status).toBe(409);
    expectErrorBody(response.body, 409);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email', password: 'password-123' }],
    ['a 7-character password', { email: 'short@example.com', password: '1234567' }],
    ['a 129-character password', { email: 'long@example.com', password: 'x'.repeat(129) }],
    [
      'an unknown field',
      { email: 'extra@example.com', password: 'password-123', roles: ['admin'] },
    ],
    ['a missing password', { email: 'missing@example.com' }],
    ['a non-string password', { email: 'type@example.com', password: 12345678 }],
  ])('refuses registration with %s: 400', async (_case, body) => {
    const response = await http().post('/auth/register').send(body);
    expect(response.status).toBe(400);
    expectErrorBody(response.body, 400);
  });

  it('logs in with a token pair, not cacheable', async () => {
    const email = newEmail('login');
    await register(sample.server, email);
    const response = await http()
      .post('/auth/login')
      .send({ email: email.toUpperCase(), password: 'password-123' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: sample.config.auth.accessTokenTtl,
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
      refreshExpiresIn: expect.any(Number),
    });
    const pair = response.body as TokenPair;
    expect(pair.refreshExpiresIn).toBeGreaterThan(0);
    expect(pair.refreshExpiresIn).toBeLessThanOrEqual(sample.config.auth.refreshIdleTtl);
  });

  it('answers a wrong password and an unknown email with the same 401 body', async () => {
    const email = newEmail('wrong');
    await register(sample.server, email);
    const wrongPassword = await http()
      .post('/auth/login')
      .send({ email, password: 'password-999' });
    const unknownEmail = await http()
      .post('/auth/login')
      .send({ email: newEmail('nobody'), password: 'password-123' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expectErrorBody(wrongPassword.body, 401);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
  });

  it('issues RFC 9068 access tokens that any JOSE library verifies with the JWKS', async () => {
    const { id, tokens } = await signUp(sample.server, 'jwt');
    const jwksResponse = await http().get('/.well-known/jwks.json').expect(200);
    const jwks = jwksResponse.body as JSONWebKeySet;
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
    const header = decodeProtectedHeader(tokens.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0]?.kid });
    const { payload } = await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), {
      issuer: sample.config.auth.issuer,
      audience: sample.config.auth.audience,
      typ: 'at+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(sample.clock.now()),
    });
    expect(payload).toMatchObject({
      iss: 'http://sample.test',
      aud: 'sample-api',
      sub: id,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      sid: expect.any(String),
      roles: ['user'],
    });
    expect(payload.exp! - payload.iat!).toBe(sample.config.auth.accessTokenTtl);
  });

  it('answers GET /me with the account and /me/claims with the token claims', async () => {
    const { id, email, tokens } = await signUp(sample.server, 'me');
    const me = await http().get('/me').set('Authorization', bearer(tokens)).expect(200);
    expect(me.body).toEqual({ id, email, roles: ['user'] });
    const claims = await http().get('/me/claims').set('Authorization', bearer(tokens)).expect(200);
    expect(claims.body).toEqual(decodeJwt(tokens.accessToken));
  });

  it('answers 401 with WWW-Authenticate: Bearer without a token, invalid_token with a bad one', async () => {
    const missing = await http().get('/me');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expectErrorBody(missing.body, 401);

    const { tokens } = await signUp(sample.server, 'tamper');
    const [head, body, signature] = tokens.accessToken.split('.');
    const forgedClaims = Buffer.from(
      JSON.stringify({ ...decodeJwt(tokens.accessToken), roles: ['admin'] }),
    ).toString('base64url');
    for (const token of ['garbage', `${head}.${forgedClaims}.${signature}`, `${head}.${body}.`]) {
      for (const path of ['/me', '/me/claims', '/admin/users', '/auth/sessions']) {
        const response = await http().get(path).set('Authorization', `Bearer ${token}`);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
        expectErrorBody(response.body, 401);
      }
    }
  });

  it('answers 401 invalid_token for an expired access token', async () => {
    const { tokens } = await signUp(sample.server, 'expired');
    sample.clock.advance(sample.config.auth.accessTokenTtl + 60);
    try {
      const response = await http().get('/me/claims').set('Authorization', bearer(tokens));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    } finally {
      sample.clock.advance(-(sample.config.auth.accessTokenTtl + 60));
    }
  });

  it('guards GET /admin/users: 401 without a token, 403 insufficient_scope without the role, 200 for admin', async () => {
    const anonymous = await http().get('/admin/users');
    expect(anonymous.status).toBe(401);
    expectErrorBody(anonymous.body, 401);

    const { tokens } = await signUp(sample.server, 'notadmin');
    const forbidden = await http().get('/admin/users').set('Authorization', bearer(tokens));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
    expectErrorBody(forbidden.body, 403);

    const admin = await login(sample.server, ADMIN.email, ADMIN.password);
    expect(decodeJwt(admin.accessToken).roles).toEqual(['admin', 'user']);
    const list = await http().get('/admin/users').set('Authorization', bearer(admin)).expect(200);
    const users = list.body as { id: string; email: string; roles: string[] }[];
    expect(users).toContainEqual({
      id: expect.any(String),
      email: ADMIN.email,
      roles: ['admin', 'user'],
    });
    for (const user of users) {
      expect(Object.keys(user).toSorted()).toEqual(['email', 'id', 'roles']);
    }
  });

  it('rotates refresh tokens: a new pair each time, the spent one answered with the same successor within the grace window', async () => {
    const { tokens } = await signUp(sample.server, 'rotate');
    const first = await http().post('/auth/refresh').send({ refreshToken: tokens.refreshToken });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const successor = first.body as TokenPair;
    expect(successor.refreshToken).not.toBe(tokens.refreshToken);
    expect(decodeJwt(successor.accessToken).sid).toBe(decodeJwt(tokens.accessToken).sid);

    sample.clock.advance(sample.config.auth.refreshGrace - 1);
    const retry = await http()
      .post('/auth/refresh')
      .send({ refreshToken: tokens.refreshToken })
      .expect(200);
    expect((retry.body as TokenPair).refreshToken).toBe(successor.refreshToken);

    const next = await http()
      .post('/auth/refresh')
      .send({ refreshToken: successor.refreshToken })
      .expect(200);
    await http()
      .get('/me')
      .set('Authorization', bearer(next.body as TokenPair))
      .expect(200);
  });

  it('revokes the whole session when a spent refresh token is presented after the grace window', async () => {
    const { tokens } = await signUp(sample.server, 'reuse');
    const rotated = (
      await http().post('/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(200)
    ).body as TokenPair;
    sample.clock.advance(sample.config.auth.refreshGrace + 1);

    const reuse = await http().post('/auth/refresh').send({ refreshToken: tokens.refreshToken });
    expect(reuse.status).toBe(401);
    expectErrorBody(reuse.body, 401);
    expect(JSON.stringify(reuse.body)).not.toContain(tokens.refreshToken);

    const successor = await http()
      .post('/auth/refresh')
      .send({ refreshToken: rotated.refreshToken });
    expect(successor.status).toBe(401);
    const access = await http().get('/me').set('Authorization', bearer(rotated));
    expect(access.status).toBe(401);
    expect(access.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('answers 401 for unknown, malformed and expired refresh tokens', async () => {
    for (const refreshToken of ['A'.repeat(43), 'not a token', 'x']) {
      const response = await http().post('/auth/refresh').send({ refreshToken });
      expect(response.status).toBe(401);
      expectErrorBody(response.body, 401);
    }
    const { tokens } = await signUp(sample.server, 'idle');
    sample.clock.advance(sample.config.auth.refreshIdleTtl + 1);
    const expired = await http().post('/auth/refresh').send({ refreshToken: tokens.refreshToken });
    expect(expired.status).toBe(401);
    const invalidBody = await http().post('/auth/refresh').send({ refreshToken: 42 });
    expect(invalidBody.status).toBe(400);
  });

  it('logs out: 204, the refresh token and the session access tokens stop working, unknown tokens also 204', async () => {
    const { tokens } = await signUp(sample.server, 'logout');
    await http().post('/auth/logout').send({ refreshToken: tokens.refreshToken }).expect(204);
    await http().post('/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(401);
    await http().get('/me').set('Authorization', bearer(tokens)).expect(401);
    const unknown = await http()
      .post('/auth/logout')
      .send({ refreshToken: 'B'.repeat(43) });
    expect(unknown.status).toBe(204);
    expect(unknown.text).toBe('');
    await http().post('/auth/logout').send({ refreshToken: tokens.refreshToken }).expect(204);
  });

  it('lists the sessions of the caller with the current one marked, and revokes one by id', async () => {
    const email = newEmail('sessions');
    await register(sample.server, email);
    const laptop = await login(sample.server, email, 'password-123', 'laptop');
    const phone = await login(sample.server, email, 'password-123', 'phone');

    const listed = await http()
      .get('/auth/sessions')
      .set('Authorization', bearer(laptop))
      .expect(200);
    const sessions = listed.body as Record<string, unknown>[];
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      expect(Object.keys(session).toSorted()).toEqual([
        'createdAt',
        'current',
        'expiresAt',
        'id',
        'ip',
        'lastUsedAt',
        'userAgent',
      ]);
      expect(new Date(session.createdAt as string).toISOString()).toBe(session.createdAt);
    }
    const laptopSid = decodeJwt(laptop.accessToken).sid;
    const phoneSid = decodeJwt(phone.accessToken).sid as string;
    expect(sessions.find((session) => session.current === true)).toMatchObject({
      id: laptopSid,
      userAgent: 'laptop',
    });
    expect(sessions.find((session) => session.current === false)).toMatchObject({
      id: phoneSid,
      userAgent: 'phone',
    });

    await http()
      .delete(`/auth/sessions/${phoneSid}`)
      .set('Authorization', bearer(laptop))
      .expect(204);
    await http().post('/auth/refresh').send({ refreshToken: phone.refreshToken }).expect(401);
    await http().get('/me').set('Authorization', bearer(phone)).expect(401);
    const after = await http()
      .get('/auth/sessions')
      .set('Authorization', bearer(laptop))
      .expect(200);
    expect((after.body as { id: string }[]).map((session) => session.id)).toEqual([laptopSid]);
  });

  it("answers 404 when deleting a session that is not the caller's", async () => {
    const alice = await signUp(sample.server, 'alice');
    const bob = await signUp(sample.server, 'bob');
    const bobSid = decodeJwt(bob.tokens.accessToken).sid as string;
    for (const id of [
      bobSid,
      '00000000-0000-4000-8000-000000000000',
      'not-a-uuid',
      'x'.repeat(90),
    ]) {
      const response = await http()
        .delete(`/auth/sessions/${id}`)
        .set('Authorization', bearer(alice.tokens));
      expect(response.status).toBe(404);
      expectErrorBody(response.body, 404);
    }
    await http().get('/me').set('Authorization', bearer(bob.tokens)).expect(200);
    await http().delete(`/auth/sessions/${bobSid}`).expect(401);
  });

  it('answers 4xx, never 500, to any session id a client can send', async () => {
    const alice = await signUp(sample.server, 'hostile-sid');
    const sid = decodeJwt(alice.tokens.accessToken).sid as string;
    for (const [id, status] of [
      ['%00', 404],
      [`${sid}%00`, 404],
      ['x'.repeat(10_240), 404],
      [sid.toUpperCase(), 404],
      [`${sid}%20`, 404],
      // A lone surrogate (U+D800) in UTF-8 form: not UTF-8 at all, so the path cannot be decoded.
      ['%ED%A0%80', 400],
      ['%F0%9F', 400],
    ] as const) {
      const response = await http()
        .delete(`/auth/sessions/${id}`)
        .set('Authorization', bearer(alice.tokens));
      expect({ id: id.slice(0, 40), status: response.status }).toEqual({
        id: id.slice(0, 40),
        status,
      });
      expectErrorBody(response.body, status);
    }
    await http().get('/me').set('Authorization', bearer(alice.tokens)).expect(200);
  });

  it('logs out everywhere: 204, then every session and access token of the user is revoked', async () => {
    const email = newEmail('everywhere');
    await register(sample.server, email);
    const one = await login(sample.server, email);
    const two = await login(sample.server, email);
    await http().post('/auth/logout-all').expect(401);
    await http().post('/auth/logout-all').set('Authorization', bearer(one)).expect(204);
    for (const pair of [one, two]) {
      await http().get('/me').set('Authorization', bearer(pair)).expect(401);
      await http().post('/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
    }
    const fresh = await login(sample.server, email);
    const listed = await http()
      .get('/auth/sessions')
      .set('Authorization', bearer(fresh))
      .expect(200);
    expect(listed.body).toHaveLength(1);
  });
}
