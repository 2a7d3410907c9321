// Catalogue section E: claim validation (E01-E10), with [K] tokens minted from the test key.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitToken, unsigned } from '../support/forge.js';
import {
  CLOCK_TOLERANCE,
  expectRefusedEverywhere,
  genuineHeader,
  getWith,
  mint,
  nowOf,
  TARGET_FACTORIES,
  TARGET_TTL,
  userClaims,
  type ForgeTarget,
} from './support/targets.js';

type Claims = (target: ForgeTarget, now: number) => Record<string, unknown> | string;

const without =
  (...names: string[]): Claims =>
  (target) => {
    const claims = userClaims(target);
    for (const name of names) delete claims[name];
    return claims;
  };

const withClaims =
  (build: (target: ForgeTarget, now: number) => Record<string, unknown>): Claims =>
  (target, now) =>
    userClaims(target, build(target, now));

/** Raw JSON: userClaims with `exp` written as the given literal text (1e400 is not a JS number). */
const rawExp =
  (literal: string): Claims =>
  (target) =>
    `${JSON.stringify({ ...userClaims(target), exp: 0 }).replace('"exp":0', `"exp":${literal}`)}`;

const tol = CLOCK_TOLERANCE;

const REFUSED: Array<[string, Claims]> = [
  [
    'E01 exp = now - (tolerance + 1)',
    withClaims((_t, now) => ({ exp: now - (tol + 1), iat: now - (tol + 1) - 60 })),
  ],
  ['E02 no exp and no iat', without('exp', 'iat')],
  ['E02 no exp', without('exp')],
  ['E02 no iat (RFC 9068 section 2.2)', without('iat')],
  ['E02 no jti (RFC 9068 section 2.2)', without('jti')],
  ['E03 nbf = now + tolerance + 60', withClaims((_t, now) => ({ nbf: now + tol + 60 }))],
  [
    'E03 iat = now + tolerance + 60 (future)',
    withClaims((_t, now) => ({ iat: now + tol + 60, exp: now + tol + 120 })),
  ],
  [
    'E03 iat older than the maximum token age, exp ahead',
    withClaims((_t, now) => ({ iat: now - (TARGET_TTL + tol + 30), exp: now + 60 })),
  ],
  ...['exp', 'nbf', 'iat'].flatMap((name) =>
    ['"1999999999"', 'null', 'true', '[]', '{}'].map((literal): [string, Claims] => [
      `E04 ${name} = ${literal}`,
      withClaims(() => ({ [name]: JSON.parse(literal) as unknown })),
    ]),
  ),
  [
    'E04 "Exp" present, "exp" absent',
    (target) => {
      const claims = userClaims(target);
      claims.Exp = claims.exp;
      delete claims.exp;
      return claims;
    },
  ],
  ['E05 exp = 1e308', rawExp('1e308')],
  ['E05 exp = 1e400 (parses to Infinity)', rawExp('1e400')],
  [
    'E05 exp - iat longer than the configured TTL',
    withClaims((_t, now) => ({ iat: now, exp: now + TARGET_TTL + tol + 60 })),
  ],
  ['E05 exp = -1', rawExp('-1')],
  ['E05 exp = 0', rawExp('0')],
  ['E05 exp = NaN text', rawExp('"NaN"')],
  ['E06 another issuer', withClaims(() => ({ iss: 'https://evil.example' }))],
  [
    'E06 the staging issuer',
    withClaims((t) => ({ iss: t.issuer.replace(/^(https?:\/\/)/, '$1staging.') })),
  ],
  [
    'E06 issuer array [evil, ours]',
    withClaims((t) => ({ iss: ['https://evil.example', t.issuer] })),
  ],
  ['E06 issuer array [ours]', withClaims((t) => ({ iss: [t.issuer] }))],
  ['E06 issuer with a trailing slash', withClaims((t) => ({ iss: `${t.issuer}/` }))],
  ['E06 issuer upper-cased', withClaims((t) => ({ iss: t.issuer.toUpperCase() }))],
  ['E06 issuer as a prefix of an evil host', withClaims((t) => ({ iss: `${t.issuer}.evil.test` }))],
  ['E06 a substring of the issuer', withClaims((t) => ({ iss: t.issuer.slice(0, -3) }))],
  ['E06 issuer absent', without('iss')],
  ['E07 audience absent', without('aud')],
  ['E07 another audience', withClaims(() => ({ aud: 'other-api' }))],
  ['E07 ["other-api"]', withClaims(() => ({ aud: ['other-api'] }))],
  ['E07 audience 123', withClaims(() => ({ aud: 123 }))],
  ['E07 audience {"x":1}', withClaims(() => ({ aud: { x: 1 } }))],
  ['E07 a substring of the audience', withClaims((t) => ({ aud: t.audience.slice(0, -2) }))],
  ['E07 audience upper-cased', withClaims((t) => ({ aud: t.audience.toUpperCase() }))],
  ['E07 empty audience array', withClaims(() => ({ aud: [] }))],
  ['E08 sub absent', without('sub')],
  ['E08 sub ""', withClaims(() => ({ sub: '' }))],
  ['E08 sub as the number 1', withClaims(() => ({ sub: 1 }))],
  ['E08 sub null', withClaims(() => ({ sub: null }))],
  ['E08 sub as an array', withClaims((t) => ({ sub: [t.userSub] }))],
];

const TYP_REFUSED = [
  undefined,
  'JWT',
  'jwt',
  'id+jwt',
  'refresh+jwt',
  'secevent+jwt',
  'at+jwt ',
  'at-jwt',
  'application/jwt',
  '',
];
const TYP_ACCEPTED = ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT'];

describe.each(TARGET_FACTORIES)('claim validation against the $name', ({ start }) => {
  let target: ForgeTarget;

  beforeAll(async () => {
    target = await start();
  });
  afterAll(async () => {
    await target.close();
  });

  it('control: a [K] token with the default claims is accepted', async () => {
    const response = await getWith(
      target,
      target.meRoute,
      `Bearer ${mint(target, userClaims(target))}`,
    );
    expect(response.status).toBe(200);
    expect(response.body.sub).toBe(target.userSub);
  });

  it.each(REFUSED)('%s [K]: 401', async (_id, claims) => {
    await expectRefusedEverywhere(target, `Bearer ${mint(target, claims(target, nowOf(target)))}`);
  });

  it.each<[string, Claims]>([
    [
      'E01 exp = now - (tolerance - 1): inside the tolerance',
      withClaims((_t, now) => ({ exp: now - (tol - 1), iat: now - (tol - 1) - 60 })),
    ],
    [
      'E03 nbf = now + tolerance - 1: inside the tolerance',
      withClaims((_t, now) => ({ nbf: now + tol - 1 })),
    ],
    ['E05 fractional exp = now + 60.5', withClaims((_t, now) => ({ exp: now + 60.5 }))],
    [
      'E07 audience array containing ours (RFC 7519 section 4.1.3)',
      withClaims((t) => ({ aud: ['other-api', t.audience] })),
    ],
  ])('%s [K]: accepted', async (_id, claims) => {
    expect(
      (
        await getWith(
          target,
          target.meRoute,
          `Bearer ${mint(target, claims(target, nowOf(target)))}`,
        )
      ).status,
    ).toBe(200);
  });

  it('E01 a genuine token past exp + tolerance: 401 "expired"; one second earlier: 200', async () => {
    const token = await target.userToken();
    const { exp } = splitToken(token).payload as { exp: number };
    const saved = target.clock.now();
    try {
      target.clock.set((exp + tol - 1) * 1000);
      expect((await getWith(target, target.meRoute, `Bearer ${token}`)).status).toBe(200);
      target.clock.set((exp + tol + 1) * 1000);
      const response = await getWith(target, target.meRoute, `Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.body.message).toBe('Access token expired');
    } finally {
      target.clock.set(saved);
    }
  });

  it.each(TYP_REFUSED.map((typ) => [`E09 typ ${JSON.stringify(typ)}`, typ]))(
    '%s [K]: 401',
    async (_id, typ) => {
      const header = genuineHeader(target, { typ });
      if (typ === undefined) delete header.typ;
      await expectRefusedEverywhere(target, `Bearer ${mint(target, userClaims(target), header)}`);
    },
  );

  it.each(TYP_ACCEPTED.map((typ) => [`E09 typ ${JSON.stringify(typ)}`, typ]))(
    '%s [K]: accepted (media types are case-insensitive)',
    async (_id, typ) => {
      expect(
        (
          await getWith(
            target,
            target.meRoute,
            `Bearer ${mint(target, userClaims(target), genuineHeader(target, { typ }))}`,
          )
        ).status,
      ).toBe(200);
    },
  );

  it.each(['iss', 'aud', 'sub', 'jti', 'roles', 'sid', 'scope', 'email'])(
    'E10 claim %s replaced by a marker, S0 kept: 401 and the marker never reflected',
    async (claim) => {
      const token = await target.userToken();
      const { h, s } = splitToken(token);
      const marker = `jwt_inject_${createHash('md5').update(claim).digest('hex')}_${claim}`;
      const forged = unsigned(
        JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
        userClaims(target, { [claim]: marker }),
        s,
      );
      for (const path of [target.meRoute, target.adminRoute, '/health']) {
        const response = await getWith(target, path, `Bearer ${forged}`);
        expect(response.status).toBe(path === '/health' ? 200 : 401);
        expect(response.text).not.toContain(marker);
        expect(JSON.stringify(response.headers)).not.toContain(marker);
      }
    },
  );
});
