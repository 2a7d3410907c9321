// Catalogue sections H (JWKS endpoint and key management: H01-H03, H05; H04 is in
// token-confusion.e2e-spec.ts) and J (authorization on the sample routes, J01-J03).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeyPair } from '../support/keys.js';
import { signCompact } from '../support/forge.js';
import {
  SAMPLE_ADMIN,
  freshEmail,
  loginUser,
  registerUser,
} from './support/security-sample-app.js';
import {
  adminClaims,
  expectR401,
  genuineHeader,
  getWith,
  mint,
  startLibraryTarget,
  startSampleTarget,
  TARGET_FACTORIES,
  userClaims,
  type ForgeTarget,
} from './support/targets.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe.each(TARGET_FACTORIES)('JWKS endpoint of the $name', ({ start }) => {
  let target: ForgeTarget;

  beforeAll(async () => {
    target = await start();
  });
  afterAll(async () => {
    await target.close();
  });

  it('H01 public members only, one unique kid per key, use "sig", the pinned alg, strong keys', async () => {
    const response = await request(target.server).get('/.well-known/jwks.json').expect(200);
    const keys = (response.body as { keys: Array<Record<string, unknown>> }).keys;
    expect(keys).toHaveLength(target.keys.length);
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key.kty).not.toBe('oct');
      expect(key.use).toBe('sig');
      const configured = target.keys.find((candidate) => candidate.kid === key.kid);
      expect(key.alg).toBe(configured?.alg);
    }
    const rsaBits = keys
      .filter((key) => key.kty === 'RSA')
      .map((key) => Buffer.from(String(key.n), 'base64url').length * 8);
    expect(rsaBits.filter((bits) => bits < 2048)).toEqual([]);
    const curves = keys
      .filter((key) => key.kty === 'EC' || key.kty === 'OKP')
      .map((key) => key.crv);
    expect(
      curves.filter((curve) => !['P-256', 'P-384', 'P-521', 'Ed25519'].includes(String(curve))),
    ).toEqual([]);
  });

  it.each(['', '?kid=../../etc/passwd&debug=1'])(
    'H02 GET%s: 200, JWK Set media type, public, cacheable for a bounded time',
    async (query) => {
      const response = await request(target.server).get(`/.well-known/jwks.json${query}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/(jwk-set\+)?json/);
      const maxAge = Number(/max-age=(\d+)/.exec(String(response.headers['cache-control']))?.[1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(86_400);
    },
  );

  it.each([
    ['H02 POST', 'post', [404, 405]],
    ['H02 PUT', 'put', [404, 405]],
    ['H02 DELETE', 'delete', [404, 405]],
    ['H02 OPTIONS', 'options', [204, 404, 405]],
  ] as const)('%s: no key served, no stack or internals', async (_id, method, statuses) => {
    const response = await request(target.server)[method]('/.well-known/jwks.json');
    expect(statuses as readonly number[]).toContain(response.status);
    expect(response.text).not.toMatch(/at [\w.]+ \(|node_modules|PRIVATE KEY|"kty"/);
  });

  it.each([
    '/jwks.json',
    '/.well-known/openid-configuration',
    '/openid/connect/jwks.json',
    '/keys',
    '/.env',
    '/config',
    '/debug',
    '/.well-known/jwks.json/../../.env',
    '/docs',
    '/docs-json',
  ])('H05 probing %s exposes no private key, secret or environment', async (path) => {
    const response = await request(target.server).get(path);
    expect(response.status).not.toBeGreaterThanOrEqual(500);
    expect(response.text).not.toMatch(
      /PRIVATE KEY|"d"\s*:|AUTH_PRIVATE_KEY|SAMPLE_ADMIN_PASSWORD|scrypt\$/,
    );
    expect(response.text).not.toContain(testKeyPair('ES256').privatePem.split('\n')[1] ?? 'x');
  });
});

describe('H03 key rotation on the library', () => {
  it('tokens of the old key verify while it is published, and are refused once it is removed', async () => {
    const rotated = await startLibraryTarget('express', {
      keys: [
        {
          kid: 'k-new',
          algorithm: 'ES256',
          privateKey: testKeyPair('ES256', 'rotated').privatePem,
        },
        { kid: 'k1', algorithm: 'ES256', publicKey: testKeyPair('ES256').publicPem },
      ],
    });
    const removed = await startLibraryTarget('express', {
      keys: [
        {
          kid: 'k-new',
          algorithm: 'ES256',
          privateKey: testKeyPair('ES256', 'rotated').privatePem,
        },
      ],
    });
    try {
      const oldToken = mint(rotated, userClaims(rotated));
      expect((await getWith(rotated, '/me', `Bearer ${oldToken}`)).status).toBe(200);
      const newToken = await rotated.userToken();
      expect(
        JSON.parse(Buffer.from(newToken.split('.')[0] ?? '', 'base64url').toString()).kid,
      ).toBe('k-new');
      expect((await getWith(removed, '/me', `Bearer ${newToken}`)).status).toBe(200);
      const before = removed.handlerRuns();
      expectR401(
        await getWith(
          removed,
          '/me',
          `Bearer ${signCompact(genuineHeader(removed, { kid: 'k1' }), userClaims(removed), 'ES256', testKeyPair('ES256').privateKey)}`,
        ),
        removed,
        before,
      );
    } finally {
      await Promise.all([rotated.close(), removed.close()]);
    }
  });
});

describe('authorization on the sample routes', () => {
  let target: Awaited<ReturnType<typeof startSampleTarget>>;
  let userAuth: string;

  beforeAll(async () => {
    target = await startSampleTarget();
    userAuth = `Bearer ${await target.userToken()}`;
  });
  afterAll(async () => {
    await target.close();
  });

  it('J01 /admin/users: 403 for a valid non-admin token, 401 without one, 401 for an expired admin token', async () => {
    const forbidden = await getWith(target, '/admin/users', userAuth);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
    expect(forbidden.text).not.toContain('@');
    expect((await getWith(target, '/admin/users')).status).toBe(401);
    const admin = await loginUser(target.server, SAMPLE_ADMIN.email, SAMPLE_ADMIN.password);
    expect((await getWith(target, '/admin/users', `Bearer ${admin.accessToken}`)).status).toBe(200);
    const saved = target.clock.now();
    target.clock.advance(admin.expiresIn + 6);
    try {
      expect((await getWith(target, '/admin/users', `Bearer ${admin.accessToken}`)).status).toBe(
        401,
      );
    } finally {
      target.clock.set(saved);
    }
  });

  it.each([
    [
      'J02 ?userId=<admin>',
      (t: ForgeTarget) =>
        request(t.server).get(`/me?userId=${t.adminSub}&id=${t.adminSub}&sub=${t.adminSub}`),
    ],
    [
      'J02 X-User-Id header',
      (t: ForgeTarget) => request(t.server).get('/me').set('X-User-Id', t.adminSub),
    ],
    [
      'J02 JSON body',
      (t: ForgeTarget) =>
        request(t.server).get('/me').send({ userId: t.adminSub, sub: t.adminSub }),
    ],
  ])("%s: only the caller's own record", async (_id, send) => {
    const response = await send(target).set('Authorization', userAuth);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(target.userSub);
    expect(response.text).not.toContain(target.adminSub);
  });

  it.each<[string, (t: ForgeTarget) => string]>([
    ['E08 sub of a user that does not exist', () => '00000000-0000-4000-8000-000000000000'],
    ['E08 sub with a leading space', (t) => ` ${t.userSub}`],
    ['E08 sub upper-cased', (t) => t.userSub.toUpperCase()],
    ['E08 sub = the admin e-mail', () => SAMPLE_ADMIN.email],
    ['E08 sub = a homoglyph of the admin e-mail', () => SAMPLE_ADMIN.email.replace('a', '\u0430')],
    ['E08 sub = "1"', () => '1'],
    ['E08 sub = "01"', () => '01'],
  ])('%s [K]: /me never resolves to another user (401)', async (_id, sub) => {
    const response = await getWith(
      target,
      '/me',
      `Bearer ${mint(target, userClaims(target, { sub: sub(target) }))}`,
    );
    expect(response.status).toBe(401);
    expect(response.text).not.toContain(target.userSub);
    expect(response.text).not.toContain(target.adminSub);
  });

  const GUARDED: Array<[string, string]> = [
    ['get', '/me'],
    ['get', '/me/claims'],
    ['get', '/admin/users'],
    ['get', '/auth/sessions'],
    ['post', '/auth/logout-all'],
    ['delete', '/auth/sessions/00000000-0000-4000-8000-000000000000'],
  ];

  it.each(
    GUARDED.flatMap(([method, path]) => [
      [
        `J03 ${method.toUpperCase()} ${path} with an unknown crit [K]`,
        method,
        path,
        'crit',
      ] as const,
      [`J03 ${method.toUpperCase()} ${path} with typ JWT [K]`, method, path, 'typ'] as const,
    ]),
  )('%s: 401', async (_id, method, path, kind) => {
    const header =
      kind === 'crit'
        ? genuineHeader(target, { crit: ['x-mfa'], 'x-mfa': true })
        : genuineHeader(target, { typ: 'JWT' });
    const token = mint(target, adminClaims(target), header);
    const call = request(target.server)
      [method as 'get' | 'post' | 'delete'](path)
      .set('Authorization', `Bearer ${token}`);
    const response = await call;
    expectR401(response, target, null);
  });

  it('J03 single verifier path: no route of the library or the sample app decodes without verifying', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk('lib');
    walk('sample-app/src');
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) => {
      const code = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/)/.test(line))
        .join('\n');
      return /\bdecodeJwt\b|\bUnsecuredJWT\b|from 'jsonwebtoken'|from '@nestjs\/jwt'|\.decode\(\s*token|ExtractJwt\.fromAuthHeader\(|passportJwt\.Strategy|new JwtStrategy/.test(
        code,
      );
    });
    expect(offenders).toEqual([]);
  });

  it('J01 a fresh registration is a plain user, whatever it asks for (I09 mass assignment)', async () => {
    const email = freshEmail();
    const response = await request(target.server)
      .post('/auth/register')
      .send({ email, password: 'user-password-1', roles: ['admin'] });
    expect(response.status).toBe(400);
    const id = await registerUser(target.server, email);
    const pair = await loginUser(target.server, email);
    expect((await getWith(target, '/admin/users', `Bearer ${pair.accessToken}`)).status).toBe(403);
    expect((await getWith(target, '/me', `Bearer ${pair.accessToken}`)).body).toEqual({
      id,
      email,
      roles: ['user'],
    });
  });
});
