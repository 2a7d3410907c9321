// Catalogue section G: the refresh-token lifecycle (G01-G17, G19, G20) on the sample app,
// with [DB] assertions on its SQLite tables. G18 (timing) is in timing.e2e-spec.ts.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService, type TokenPair } from '../../lib/index.js';
import { splitToken } from '../support/forge.js';
import { SampleDb, sidOf } from './support/sample-db.js';
import {
  freshEmail,
  loginUser,
  refreshWith,
  registerUser,
  startSecuritySampleApp,
  type SecuritySampleApp,
} from './support/security-sample-app.js';

const GRACE = 5;
const IDLE = 30 * 60;
const ABSOLUTE = 60 * 60;

/** RF401 of the catalogue: 401, the contract's error body, no token in it, no DB error text. */
function expectRF401(response: request.Response): void {
  expect({ status: response.status, text: response.text }).toMatchObject({ status: 401 });
  expect(response.body).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    message: 'Invalid refresh token',
  });
  expect(response.headers['set-cookie']).toBeUndefined();
}

describe('refresh-token lifecycle on the sample app (grace mode, G = 5 s)', () => {
  let sample: SecuritySampleApp;
  let db: SampleDb;

  const signIn = async (): Promise<{ userId: string; email: string; pair: TokenPair }> => {
    const email = freshEmail();
    const userId = await registerUser(sample.server, email);
    return { userId, email, pair: await loginUser(sample.server, email) };
  };
  const refreshOk = async (token: string): Promise<TokenPair> => {
    const response = await refreshWith(sample.server, token);
    expect({ status: response.status, text: response.text }).toMatchObject({ status: 200 });
    return response.body as TokenPair;
  };
  const me = (pair: Pick<TokenPair, 'accessToken'>) =>
    request(sample.server).get('/me').set('Authorization', `Bearer ${pair.accessToken}`);

  beforeAll(async () => {
    sample = await startSecuritySampleApp({
      AUTH_REFRESH_GRACE: `${GRACE}s`,
      AUTH_REFRESH_IDLE_TTL: '30m',
      AUTH_REFRESH_TTL: '1h',
    });
    db = new SampleDb(sample.app);
  });
  afterAll(async () => {
    await sample.close();
  });

  it('G01 rotation keeps the family, spends RT1, and every login opens a new family (no fixation)', async () => {
    const { email, pair } = await signIn();
    const sid = sidOf(pair);
    const response = await refreshWith(sample.server, pair.refreshToken);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const second = response.body as TokenPair;
    expect(second.refreshToken).not.toBe(pair.refreshToken);
    expect(sidOf(second)).toBe(sid);
    expect(await db.tokenCount(sid)).toBe(2);
    // A login carrying the old refresh token (cookie, header) still opens a fresh family.
    const relogin = await request(sample.server)
      .post('/auth/login')
      .set('Cookie', `refreshToken=${second.refreshToken}; sid=${sid}`)
      .set('X-Refresh-Token', second.refreshToken)
      .send({ email, password: 'user-password-1' });
    expect(relogin.status).toBe(200);
    expect(sidOf(relogin.body as TokenPair)).not.toBe(sid);
    expect(await db.tokenCount(sid)).toBe(2);
    sample.clock.advance(GRACE + 1);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
  });

  it('G02 reuse after the grace window: RF401, the whole family revoked [DB], its access tokens too, logged', async () => {
    const { pair } = await signIn();
    const sid = sidOf(pair);
    const second = await refreshOk(pair.refreshToken);
    sample.clock.advance(GRACE + 1);
    const logsBefore = sample.logs.entries.length;
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
    expect(await db.session(sid)).toMatchObject({ revoked_reason: 'reuse_detected' });
    expect((await db.session(sid))?.revoked_at).not.toBeNull();
    expectRF401(await refreshWith(sample.server, second.refreshToken));
    expect((await me(second)).status).toBe(401);
    expect(await db.tokenCount(sid)).toBe(2);
    const logged = sample.logs.entries
      .slice(logsBefore)
      .map((entry) => entry.text)
      .join('\n');
    expect(logged).toMatch(/reuse detected/i);
    expect(logged).toContain(sid);
  });

  it('G03 attacker redeems first, victim later: both lineages dead', async () => {
    const { pair } = await signIn();
    const attacker = await refreshOk(pair.refreshToken);
    sample.clock.advance(GRACE + 1);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
    expectRF401(await refreshWith(sample.server, attacker.refreshToken));
    expect((await db.session(sidOf(pair)))?.revoked_reason).toBe('reuse_detected');
  });

  it('G04 grandparent replay inside the grace window: reuse detected (grace covers the immediate parent only)', async () => {
    const { pair } = await signIn();
    const rt2 = await refreshOk(pair.refreshToken);
    const rt3 = await refreshOk(rt2.refreshToken);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
    expectRF401(await refreshWith(sample.server, rt3.refreshToken));
    expect((await db.session(sidOf(pair)))?.revoked_reason).toBe('reuse_detected');
  });

  it.each([20, 100])(
    'G05 %i concurrent refreshes of one token: all in one family, one child row, one live lineage [C][DB]',
    async (n) => {
      const { pair } = await signIn();
      const sid = sidOf(pair);
      // Separate connections, released together.
      const responses = await Promise.all(
        Array.from({ length: n }, () =>
          refreshWith(sample.server, pair.refreshToken).then((r) => r),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
      const winners = responses
        .filter((response) => response.status === 200)
        .map((response) => response.body as TokenPair);
      expect(winners.length).toBeGreaterThanOrEqual(1);
      expect(new Set(winners.map((pairOf) => pairOf.refreshToken)).size).toBe(1);
      expect(new Set(winners.map(sidOf))).toEqual(new Set([sid]));
      expect(await db.tokenCount(sid)).toBe(2);
      const child = winners[0] as TokenPair;
      const next = await refreshOk(child.refreshToken);
      expect(sidOf(next)).toBe(sid);
      console.info(
        `[G05] grace mode, N=${n}: ${winners.length} x 200 (same successor), ${n - winners.length} x 401`,
      );
    },
  );

  it('G06 replay of an old token racing a refresh of the current one: afterwards no token of the family works [C]', async () => {
    const { pair } = await signIn();
    const rt2 = await refreshOk(pair.refreshToken);
    sample.clock.advance(GRACE + 1);
    const [replay, current] = await Promise.all([
      refreshWith(sample.server, pair.refreshToken),
      refreshWith(sample.server, rt2.refreshToken),
    ]);
    expectRF401(replay);
    const minted = current.status === 200 ? [(current.body as TokenPair).refreshToken] : [];
    for (const token of [pair.refreshToken, rt2.refreshToken, ...minted])
      expectRF401(await refreshWith(sample.server, token));
    expect((await db.session(sidOf(pair)))?.revoked_at).not.toBeNull();
  });

  it('G06 logout racing a refresh: afterwards no token of the family works [C]', async () => {
    const { pair } = await signIn();
    const [logout, current] = await Promise.all([
      request(sample.server).post('/auth/logout').send({ refreshToken: pair.refreshToken }),
      refreshWith(sample.server, pair.refreshToken),
    ]);
    expect(logout.status).toBe(204);
    const minted = current.status === 200 ? [(current.body as TokenPair).refreshToken] : [];
    for (const token of [pair.refreshToken, ...minted])
      expectRF401(await refreshWith(sample.server, token));
  });

  it('G07 the immediate parent at G - 1 s gets the same successor; at G + 1 s it revokes the family', async () => {
    const { pair } = await signIn();
    const rt2 = await refreshOk(pair.refreshToken);
    sample.clock.advance(GRACE - 1);
    const retry = await refreshOk(pair.refreshToken);
    expect(retry.refreshToken).toBe(rt2.refreshToken);
    expect(sidOf(retry)).toBe(sidOf(pair));
    expect(await db.tokenCount(sidOf(pair))).toBe(2);
    sample.clock.advance(2);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
    expectRF401(await refreshWith(sample.server, rt2.refreshToken));
  });

  it('G08 logout, then refresh: RF401; logout is idempotent and says nothing; the access token dies with the session (sid deny-list)', async () => {
    const { pair } = await signIn();
    expect((await me(pair)).status).toBe(200);
    const first = await request(sample.server)
      .post('/auth/logout')
      .send({ refreshToken: pair.refreshToken });
    expect(first.status).toBe(204);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
    const again = await request(sample.server)
      .post('/auth/logout')
      .send({ refreshToken: pair.refreshToken });
    const unknown = await request(sample.server)
      .post('/auth/logout')
      .send({ refreshToken: randomBytes(64).toString('base64url') });
    expect([again.status, unknown.status]).toEqual([204, 204]);
    expect([again.text, unknown.text]).toEqual([first.text, first.text]);
    expect((await me(pair)).status).toBe(401);
    expect((await db.session(sidOf(pair)))?.revoked_reason).toBe('logout');
  });

  it('G09 logout scope: one device, then all devices; never another user', async () => {
    const { email, pair: device1 } = await signIn();
    const device2 = await loginUser(sample.server, email);
    const other = await signIn();
    await request(sample.server)
      .post('/auth/logout')
      .send({ refreshToken: device1.refreshToken })
      .expect(204);
    expectRF401(await refreshWith(sample.server, device1.refreshToken));
    const alive = await refreshOk(device2.refreshToken);
    // Another user's session id in this user's DELETE: 404, untouched.
    await request(sample.server)
      .delete(`/auth/sessions/${sidOf(other.pair)}`)
      .set('Authorization', `Bearer ${alive.accessToken}`)
      .expect(404);
    await request(sample.server)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${alive.accessToken}`)
      .expect(204);
    expectRF401(await refreshWith(sample.server, alive.refreshToken));
    expect((await me(alive)).status).toBe(401);
    const otherNext = await refreshOk(other.pair.refreshToken);
    expect(sidOf(otherNext)).toBe(sidOf(other.pair));
  });

  it('G11 deleted user: refresh refused, /me refused, and a re-registration with the same e-mail inherits nothing', async () => {
    const { userId, email, pair } = await signIn();
    await db.deleteUser(userId);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
    expect((await db.session(sidOf(pair)))?.revoked_reason).toBe('user_rejected');
    expect((await me(pair)).status).toBe(401);
    const newId = await registerUser(sample.server, email);
    expect(newId).not.toBe(userId);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
    const fresh = await loginUser(sample.server, email);
    const sessions = await request(sample.server)
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${fresh.accessToken}`)
      .expect(200);
    expect((sessions.body as { id: string }[]).map((session) => session.id)).toEqual([
      sidOf(fresh),
    ]);
  });

  it('G12 demotion: the refreshed token loses the role at once; the older token keeps it only until its exp', async () => {
    const { userId, email } = await signIn();
    await db.setRoles(userId, ['admin', 'user']);
    const promoted = await loginUser(sample.server, email);
    const admin = (pair: TokenPair) =>
      request(sample.server).get('/admin/users').set('Authorization', `Bearer ${pair.accessToken}`);
    expect((await admin(promoted)).status).toBe(200);
    await db.setRoles(userId, ['user']);
    const demoted = await refreshOk(promoted.refreshToken);
    expect(splitToken(demoted.accessToken).payload.roles).toEqual(['user']);
    expect((await admin(demoted)).status).toBe(403);
    // Roles live in the token (stateless path): the pre-demotion token works until it expires.
    expect((await admin(promoted)).status).toBe(200);
    sample.clock.advance(promoted.expiresIn + 6);
    expect((await admin(promoted)).status).toBe(401);
  });

  it('G13 idle timeout: a token unused for longer than the idle lifetime is refused', async () => {
    const { pair } = await signIn();
    sample.clock.advance(IDLE + 1);
    expectRF401(await refreshWith(sample.server, pair.refreshToken));
  });

  it('G13 absolute lifetime: sliding refresh never extends a family past its cap', async () => {
    const { pair } = await signIn();
    let current = pair;
    let elapsed = 0;
    while (elapsed + 20 * 60 < ABSOLUTE) {
      sample.clock.advance(20 * 60);
      elapsed += 20 * 60;
      current = await refreshOk(current.refreshToken);
      expect(current.refreshExpiresIn).toBeLessThanOrEqual(ABSOLUTE - elapsed);
    }
    sample.clock.advance(ABSOLUTE - elapsed + 1);
    expectRF401(await refreshWith(sample.server, current.refreshToken));
  });

  it("G14 user A's refresh token with user B's access token: tokens for A only", async () => {
    const a = await signIn();
    const b = await signIn();
    const response = await refreshWith(sample.server, a.pair.refreshToken).set(
      'Authorization',
      `Bearer ${b.pair.accessToken}`,
    );
    expect(response.status).toBe(200);
    expect(splitToken((response.body as TokenPair).accessToken).payload.sub).toBe(a.userId);
  });

  it.each<[string, (rt: string) => request.Test]>([
    ['G15 field missing', () => request(sample.server).post('/auth/refresh').send({})],
    ['G15 empty string', () => refreshWith(sample.server, '')],
    ['G15 null', () => refreshWith(sample.server, null)],
    ['G15 number', () => refreshWith(sample.server, 123)],
    ['G15 array', () => refreshWith(sample.server, [])],
    ['G15 array holding the token', (rt) => refreshWith(sample.server, [rt])],
    ['G15 {"$ne":null}', () => refreshWith(sample.server, { $ne: null })],
    [
      'G15 1 MB string (over the body limit)',
      () => refreshWith(sample.server, 'A'.repeat(1024 * 1024)),
    ],
    ['G15 10 KB string', () => refreshWith(sample.server, 'A'.repeat(10 * 1024))],
    ['G15 token + "\\n"', (rt) => refreshWith(sample.server, `${rt}\n`)],
    ['G15 token upper-cased', (rt) => refreshWith(sample.server, rt.toUpperCase())],
    ['G15 token with a quote', (rt) => refreshWith(sample.server, `${rt.slice(0, -1)}'`)],
    ['G15 token with %00', (rt) => refreshWith(sample.server, `${rt}%00`)],
    ['G15 SQL injection', () => refreshWith(sample.server, "' OR '1'='1' --")],
    [
      'G15 wrong Content-Type (text/plain)',
      (rt) =>
        request(sample.server)
          .post('/auth/refresh')
          .set('Content-Type', 'text/plain')
          .send(JSON.stringify({ refreshToken: rt })),
    ],
    [
      'G15 form-encoded body',
      (rt) => request(sample.server).post('/auth/refresh').type('form').send({ refreshToken: rt }),
    ],
    [
      'G15 malformed JSON',
      () =>
        request(sample.server)
          .post('/auth/refresh')
          .set('Content-Type', 'application/json')
          .send('{"refreshToken":'),
    ],
    [
      'G15 extra field',
      (rt) =>
        request(sample.server).post('/auth/refresh').send({ refreshToken: rt, userId: 'admin' }),
    ],
  ])('%s: 400/401/413, no 500, no DB text, nothing revoked', async (_id, send) => {
    const { pair } = await signIn();
    const tokensBefore = await db.totalTokens();
    const revokedBefore = await db.revokedSessions();
    const response = await send(pair.refreshToken);
    expect([400, 401, 413]).toContain(response.status);
    expect(Object.keys(response.body as object).sort()).toEqual(['error', 'message', 'statusCode']);
    expect(response.text).not.toMatch(/SQL|sqlite|QueryFailed|syntax|stack/i);
    expect(response.text).not.toContain(pair.refreshToken.slice(0, 20));
    expect(await db.totalTokens()).toBe(tokensBefore);
    expect(await db.revokedSessions()).toBe(revokedBefore);
    // The family is intact: the real token still rotates.
    await refreshOk(pair.refreshToken);
  });

  it('G16 1,000 refresh tokens: 86 base64url characters, unique, no shared prefixes, no embedded ids, balanced bits', async () => {
    const tokens = sample.app.get(TokenService);
    const { userId } = await signIn();
    const minted: string[] = [];
    for (let index = 0; index < 1000; index += 1)
      minted.push((await tokens.issueTokens({ id: userId, roles: ['user'] })).refreshToken);
    expect(minted.every((token) => /^[A-Za-z0-9_-]{86}$/.test(token))).toBe(true);
    expect(new Set(minted).size).toBe(1000);
    // No structure: 8-character prefixes collide with probability ~2^-48 per pair.
    expect(new Set(minted.map((token) => token.slice(0, 8))).size).toBe(1000);
    const compactId = userId.replace(/-/g, '');
    for (const token of minted) {
      const hex = Buffer.from(token, 'base64url').toString('hex');
      expect(hex).not.toContain(compactId.slice(0, 12));
    }
    // Bit balance over 1,000 x 512 bits: a CSPRNG gives 0.5 +- ~0.002; allow a wide 0.49..0.51.
    let ones = 0;
    for (const token of minted)
      for (const byte of Buffer.from(token, 'base64url'))
        ones += byte.toString(2).replace(/0/g, '').length;
    const ratio = ones / (1000 * 64 * 8);
    expect(ratio).toBeGreaterThan(0.49);
    expect(ratio).toBeLessThan(0.51);
    // The login of signIn() plus the 1,000 sessions opened here.
    expect(await tokens.listSessions(userId)).toHaveLength(1001);
  });

  it('G17 only hashes are stored: the stored hash and the stored nonce are not refresh tokens [DB]', async () => {
    const { pair } = await signIn();
    const rows = await db.query<{ token_hash: string; nonce: string }>(
      'SELECT token_hash, nonce FROM auth_refresh_tokens WHERE session_id = ?',
      [sidOf(pair)],
    );
    expect(rows).toHaveLength(1);
    const [row] = rows as [{ token_hash: string; nonce: string }];
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(pair.refreshToken);
    const revokedBefore = await db.revokedSessions();
    for (const candidate of [
      row.token_hash,
      row.nonce,
      `${row.nonce}${row.token_hash}`.slice(0, 86),
      Buffer.from(row.token_hash, 'hex').toString('base64url'),
    ]) {
      expectRF401(await refreshWith(sample.server, candidate));
    }
    expect(await db.revokedSessions()).toBe(revokedBefore);
    await refreshOk(pair.refreshToken);
  });

  it('G19 random, forged, foreign-id and dead-family tokens revoke nothing', async () => {
    const victim = await signIn();
    const dead = await signIn();
    await request(sample.server)
      .post('/auth/logout')
      .send({ refreshToken: dead.pair.refreshToken })
      .expect(204);
    const revokedBefore = await db.revokedSessions();
    const tokensBefore = await db.totalTokens();
    const candidates = [
      randomBytes(64).toString('base64url'),
      `${victim.pair.refreshToken.slice(0, 43)}${randomBytes(32).toString('base64url')}`.slice(
        0,
        86,
      ),
      victim.userId,
      sidOf(victim.pair),
      Buffer.from(sidOf(victim.pair)).toString('base64url'),
      dead.pair.refreshToken,
    ];
    for (const candidate of candidates) expectRF401(await refreshWith(sample.server, candidate));
    expect(await db.revokedSessions()).toBe(revokedBefore);
    expect(await db.totalTokens()).toBe(tokensBefore);
    await refreshOk(victim.pair.refreshToken);
  });

  it('G20 token responses: Cache-Control no-store, no cookie, no Location, tokens only in the body', async () => {
    const { email } = await signIn();
    const login = await request(sample.server)
      .post('/auth/login')
      .send({ email, password: 'user-password-1' });
    const refresh = await refreshWith(sample.server, (login.body as TokenPair).refreshToken);
    for (const response of [login, refresh]) {
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.headers.location).toBeUndefined();
      const body = response.body as TokenPair;
      expect(JSON.stringify(response.headers)).not.toContain(body.refreshToken);
      expect(JSON.stringify(response.headers)).not.toContain(body.accessToken);
    }
  });
});

describe('refresh-token lifecycle on the sample app (strict mode, G = 0)', () => {
  let sample: SecuritySampleApp;
  let db: SampleDb;

  beforeAll(async () => {
    sample = await startSecuritySampleApp({ AUTH_REFRESH_GRACE: '0s' });
    db = new SampleDb(sample.app);
  });
  afterAll(async () => {
    await sample.close();
  });

  it.each([20, 100])(
    'G05 %i concurrent refreshes: exactly one 200, one child row, never two live lineages [C][DB]',
    async (n) => {
      const email = freshEmail();
      await registerUser(sample.server, email);
      const pair = await loginUser(sample.server, email);
      const sid = sidOf(pair);
      const responses = await Promise.all(
        Array.from({ length: n }, () =>
          refreshWith(sample.server, pair.refreshToken).then((r) => r),
        ),
      );
      const winners = responses.filter((response) => response.status === 200);
      expect(winners).toHaveLength(1);
      expect(responses.filter((response) => response.status === 401)).toHaveLength(n - 1);
      expect(await db.tokenCount(sid)).toBe(2);
      // Every losing presentation of a spent token is reuse: strict mode revokes the family.
      const session = await db.session(sid);
      console.info(
        `[G05] strict mode, N=${n}: 1 x 200, ${n - 1} x 401, family ${session?.revoked_reason ?? 'alive'}`,
      );
      const next = await refreshWith(
        sample.server,
        ((winners[0] as request.Response).body as TokenPair).refreshToken,
      );
      expect(next.status).toBe(session?.revoked_at === null ? 200 : 401);
    },
  );

  it('G07 with no grace window, the parent presented again at once revokes the family', async () => {
    const email = freshEmail();
    await registerUser(sample.server, email);
    const pair = await loginUser(sample.server, email);
    const rt2 = (await refreshWith(sample.server, pair.refreshToken).expect(200)).body as TokenPair;
    expect((await refreshWith(sample.server, pair.refreshToken)).status).toBe(401);
    expect((await refreshWith(sample.server, rt2.refreshToken)).status).toBe(401);
    expect((await db.session(sidOf(pair)))?.revoked_reason).toBe('reuse_detected');
  });
});
