import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthConfigurationError } from '../../../lib/auth.errors.js';
import type {
  AuthModuleOptions,
  RefreshTokenOptions,
  TokenCarrier,
} from '../../../lib/options/auth-module-options.js';
import type { RefreshTokenStore } from '../../../lib/refresh-token/refresh-token.store.js';
import { resolveAuthOptions } from '../../../lib/options/resolve-auth-options.js';
import {
  TEST_AUDIENCE,
  TEST_ISSUER,
  testAuthOptions,
  testKeyPair,
  testSecret,
} from '../../support/keys.js';

/** The problems of the AuthConfigurationError the options cause; fails the test if there is none. */
function problemsOf(options: unknown): readonly string[] {
  let error: unknown;
  try {
    resolveAuthOptions(options as AuthModuleOptions);
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toMatchObject({ code: 'ERR_AUTH_CONFIGURATION' });
  return (error as AuthConfigurationError).problems;
}

const store = {} as RefreshTokenStore;
const customExtractor = () => 'token';
const jwksOptions = (url: string) => ({
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  jwks: { url },
});
const jwksWith = (overrides: Record<string, unknown>) => ({
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  jwks: { url: 'https://auth.example.com/.well-known/jwks.json', ...overrides },
});
const hs256Options = (secret: string | Uint8Array, overrides: Partial<AuthModuleOptions> = {}) =>
  testAuthOptions('HS256', { keys: [{ secret }], ...overrides });
const refresh = (overrides: Partial<RefreshTokenOptions> = {}): RefreshTokenOptions => ({
  store,
  resolveUser: () => null,
  ...overrides,
});

describe('resolveAuthOptions', () => {
  describe('defaults', () => {
    const resolved = resolveAuthOptions({
      keys: [{ privateKey: testKeyPair('ES256').privatePem }],
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
    });

    it('fills in every documented default', () => {
      expect(resolved).toMatchObject({
        algorithm: 'ES256',
        canSign: true,
        issuer: TEST_ISSUER,
        audience: [TEST_AUDIENCE],
        accessTokenTtl: 900,
        clockTolerance: 5,
        cache: {
          enabled: true,
          maxEntries: 10_000,
          maxBytes: 16 * 1024 * 1024,
          admitOnFirstSight: false,
        },
        jwks: null,
        refresh: null,
        revocation: { store: null },
      });
      expect(resolved.keys[0]?.algorithm).toBe('ES256');
    });

    it('puts the user roles, and only them, into the default claims', async () => {
      expect(await resolved.claims({ id: 1, roles: ['admin'] })).toEqual({ roles: ['admin'] });
      expect(await resolved.claims({ id: 1 })).toEqual({ roles: [] });
    });

    it('reads only the Authorization bearer token by default', () => {
      const request = {
        headers: { authorization: 'Bearer abc.def.ghi' },
        url: '/me?access_token=xyz',
      };
      expect(resolved.extractors).toHaveLength(1);
      expect(resolved.extractors.map((extract) => extract(request))).toEqual(['abc.def.ghi']);
      expect(
        resolved.extractors[0]?.({ headers: { authorization: 'JWT abc.def.ghi' } }),
      ).toBeNull();
    });

    it('adds the query parameter extractor only when queryParameter is set', () => {
      const withQuery = resolveAuthOptions(
        testAuthOptions('ES256', { queryParameter: 'access_token' }),
      );
      const request = { headers: {}, url: '/me?access_token=xyz' } as TokenCarrier;
      expect(withQuery.extractors).toHaveLength(2);
      expect(withQuery.extractors[1]?.(request)).toBe('xyz');
      // A repeated parameter is an array, never a token.
      expect(
        withQuery.extractors[1]?.({
          headers: {},
          url: '/me?access_token=a&access_token=b',
        } as TokenCarrier),
      ).toBeNull();
    });

    it('lets extractors replace the defaults', () => {
      const replaced = resolveAuthOptions(
        testAuthOptions('ES256', { extractors: [customExtractor] }),
      );
      expect(replaced.extractors).toEqual([customExtractor]);
    });

    it('returns deeply frozen options', () => {
      expect(Object.isFrozen(resolved)).toBe(true);
      expect(Object.isFrozen(resolved.keys)).toBe(true);
      expect(Object.isFrozen(resolved.keys[0])).toBe(true);
      expect(Object.isFrozen(resolved.audience)).toBe(true);
      expect(Object.isFrozen(resolved.cache)).toBe(true);
      expect(Object.isFrozen(resolved.extractors)).toBe(true);
      expect(Object.isFrozen(resolved.revocation)).toBe(true);
      expect(() => {
        (resolved as { issuer: string }).issuer = 'https://evil.example';
      }).toThrow(TypeError);
    });

    it('converts durations to seconds', () => {
      const converted = resolveAuthOptions(
        testAuthOptions('ES256', { accessTokenTtl: '5m', clockTolerance: 30 }),
      );
      expect(converted).toMatchObject({ accessTokenTtl: 300, clockTolerance: 30 });
    });

    it('resolves refresh options with their defaults, frozen', () => {
      const resolvedRefresh = resolveAuthOptions(
        testAuthOptions('ES256', { refresh: refresh() }),
      ).refresh;
      expect(resolvedRefresh).toMatchObject({
        ttl: 30 * 86_400,
        idleTtl: 14 * 86_400,
        reuseGracePeriod: 10,
        maxSessionsPerUser: 0,
        secret: null,
        store,
        onReuseDetected: null,
        pruneInterval: null,
        pruneRevokedAfter: 7 * 86_400,
      });
      expect(resolvedRefresh?.store).toBe(store);
      expect(Object.isFrozen(resolvedRefresh)).toBe(true);
    });

    it('never defaults idleTtl beyond a shorter ttl', () => {
      const short = resolveAuthOptions(
        testAuthOptions('ES256', { refresh: refresh({ ttl: '7d' }) }),
      );
      expect(short.refresh).toMatchObject({ ttl: 7 * 86_400, idleTtl: 7 * 86_400 });
    });

    it('treats refresh: false as no refresh sessions', () => {
      expect(resolveAuthOptions(testAuthOptions('ES256', { refresh: false })).refresh).toBeNull();
    });

    it('resolves jwks mode with its defaults and cannot sign', () => {
      const remote = resolveAuthOptions({
        issuer: TEST_ISSUER,
        audience: ['a', 'b'],
        jwks: { url: 'https://auth.example.com/.well-known/jwks.json' },
      });
      expect(remote.canSign).toBe(false);
      expect(remote.keys).toEqual([]);
      expect(remote.audience).toEqual(['a', 'b']);
      expect(remote.jwks).toMatchObject({
        cacheMaxAge: 600,
        cooldownDuration: 30,
        timeoutDuration: 5,
      });
      expect(remote.jwks?.url.href).toBe('https://auth.example.com/.well-known/jwks.json');
    });

    it('cannot sign when keys[0] holds a public key only', () => {
      const verifyOnly = resolveAuthOptions(
        testAuthOptions('ES256', { keys: [{ publicKey: testKeyPair('ES256').publicPem }] }),
      );
      expect(verifyOnly.canSign).toBe(false);
    });
  });

  describe('rules', () => {
    const base = testAuthOptions('ES256');

    it('requires a non-empty issuer', () => {
      const { issuer: _omitted, ...withoutIssuer } = base;
      expect(problemsOf(withoutIssuer)).toContainEqual(
        expect.stringMatching(/^issuer: is required/),
      );
      expect(problemsOf({ ...base, issuer: '' })).toContainEqual(
        expect.stringMatching(/^issuer: must not be empty/),
      );
      expect(problemsOf({ ...base, issuer: 42 })).toContainEqual(
        expect.stringMatching(/^issuer: must be a string/),
      );
    });

    it('requires a non-empty audience or a non-empty array of non-empty audiences', () => {
      expect(problemsOf({ ...base, audience: '' })).toContainEqual(
        expect.stringMatching(/^audience: must not be empty/),
      );
      expect(problemsOf({ ...base, audience: [] })).toContainEqual(
        expect.stringMatching(/^audience: is an empty array/),
      );
      expect(problemsOf({ ...base, audience: ['api', ''] })).toContainEqual(
        expect.stringMatching(/^audience\[1\]: must not be empty/),
      );
      expect(problemsOf({ ...base, audience: 7 })).toContainEqual(
        expect.stringMatching(/^audience: must be a non-empty string/),
      );
    });

    it('requires exactly one of keys and jwks', () => {
      const { keys: _omitted, ...withoutKeys } = base;
      expect(problemsOf(withoutKeys)).toContainEqual(expect.stringMatching(/^keys: is required/));
      expect(problemsOf({ ...base, keys: [] })).toContainEqual(
        expect.stringMatching(/^keys: is empty/),
      );
      expect(
        problemsOf({ ...base, jwks: { url: 'https://auth.example.com/jwks' } }),
      ).toContainEqual(expect.stringMatching(/^jwks: cannot be combined with keys/));
    });

    it('requires https for the JWKS URL except on loopback hosts', () => {
      expect(problemsOf(jwksOptions('http://auth.example.com/jwks'))).toContainEqual(
        expect.stringMatching(/^jwks\.url: must use https/),
      );
      expect(problemsOf(jwksOptions('http://10.0.0.1/jwks'))).toContainEqual(
        expect.stringMatching(/^jwks\.url: must use https/),
      );
      expect(problemsOf(jwksOptions('ftp://auth.example.com/jwks'))).toContainEqual(
        expect.stringMatching(/^jwks\.url: must use https/),
      );
      expect(problemsOf(jwksOptions('not a url'))).toContainEqual(
        expect.stringMatching(/^jwks\.url: 'not a url' is not a URL/),
      );
      for (const url of [
        'http://127.0.0.1:8080/jwks',
        'http://localhost/jwks',
        'http://[::1]/jwks',
      ]) {
        expect(resolveAuthOptions(jwksOptions(url)).jwks?.url.href).toBe(new URL(url).href);
      }
    });

    it('refuses HS256 with jwks', () => {
      expect(
        problemsOf({
          issuer: TEST_ISSUER,
          audience: TEST_AUDIENCE,
          algorithm: 'HS256',
          jwks: { url: 'https://a.example/jwks' },
        }),
      ).toContainEqual(expect.stringMatching(/^algorithm: HS256 cannot be used with jwks/));
    });

    it('requires an HS256 secret of at least 32 bytes and no key pair', () => {
      expect(
        problemsOf(testAuthOptions('HS256', { keys: [{ secret: 'too-short' }] })),
      ).toContainEqual(expect.stringMatching(/^keys\[0\]\.secret: is shorter than 32 bytes/));
      expect(problemsOf(testAuthOptions('HS256', { keys: [{}] }))).toContainEqual(
        expect.stringMatching(/^keys\[0\]\.secret: is required for HS256/),
      );
      expect(
        problemsOf(
          testAuthOptions('HS256', {
            keys: [{ secret: testSecret(), privateKey: testKeyPair('ES256').privatePem }],
          }),
        ),
      ).toContainEqual(expect.stringMatching(/^keys\[0\]\.privateKey: is not used with HS256/));
      // 16 characters of a multi-byte alphabet are 32 bytes; bytes are what count.
      expect(
        resolveAuthOptions(testAuthOptions('HS256', { keys: [{ secret: 'àáâãäåæçèéêëìíîï' }] }))
          .canSign,
      ).toBe(true);
    });

    it('requires a key pair and no secret for asymmetric keys', () => {
      expect(problemsOf({ ...base, keys: [{}] })).toContainEqual(
        expect.stringMatching(/^keys\[0\]: needs privateKey \(to sign\) or publicKey/),
      );
      expect(
        problemsOf({
          ...base,
          keys: [{ privateKey: testKeyPair('ES256').privatePem, secret: testSecret() }],
        }),
      ).toContainEqual(expect.stringMatching(/^keys\[0\]\.secret: is only used with HS256/));
      expect(problemsOf({ ...base, keys: [{ privateKey: 42 }] })).toContainEqual(
        expect.stringMatching(/^keys\[0\]\.privateKey: must be a PEM string, a JWK object/),
      );
    });

    it('applies a key algorithm over the module algorithm', () => {
      const mixed = resolveAuthOptions({
        ...base,
        keys: [
          { privateKey: testKeyPair('ES256').privatePem },
          { algorithm: 'HS256', secret: testSecret() },
        ],
      });
      expect(mixed.keys.map((key) => key.algorithm)).toEqual(['ES256', 'HS256']);
    });

    it('requires unique kids', () => {
      const pem = testKeyPair('ES256').privatePem;
      expect(
        problemsOf({
          ...base,
          keys: [
            { kid: 'k1', privateKey: pem },
            { kid: 'k1', publicKey: testKeyPair('ES256').publicPem },
          ],
        }),
      ).toContainEqual(expect.stringMatching(/^keys\[1\]\.kid: 'k1' is already used by keys\[0\]/));
    });

    it('bounds clockTolerance to 60 s and refuses a bare numeric string', () => {
      expect(problemsOf({ ...base, clockTolerance: '2m' })).toContainEqual(
        expect.stringMatching(/^clockTolerance: is 120s; it must be at most 60s/),
      );
      expect(problemsOf({ ...base, accessTokenTtl: '900' })).toContainEqual(
        expect.stringMatching(/^accessTokenTtl: '900' has no unit/),
      );
      expect(problemsOf({ ...base, accessTokenTtl: 0 })).toContainEqual(
        expect.stringMatching(/^accessTokenTtl: is 0s; it must be at least 1s/),
      );
      expect(problemsOf({ ...base, accessTokenTtl: -5 })).toContainEqual(
        expect.stringMatching(/^accessTokenTtl: is -5; use a finite number/),
      );
    });

    it('validates the cache options', () => {
      expect(problemsOf({ ...base, cache: { maxEntries: 0 } })).toContainEqual(
        expect.stringMatching(/^cache\.maxEntries: must be an integer >= 1/),
      );
      expect(problemsOf({ ...base, cache: { enabled: 'yes' } })).toContainEqual(
        expect.stringMatching(/^cache\.enabled: must be true or false/),
      );
      expect(problemsOf({ ...base, cache: { maxBytes: 1000 } })).toContainEqual(
        expect.stringMatching(/^cache\.maxBytes: must be a number of bytes >= 4096/),
      );
      expect(problemsOf({ ...base, cache: { maxBytes: 1.5e6 + 0.5 } })).toContainEqual(
        expect.stringMatching(/^cache\.maxBytes: must be a number of bytes/),
      );
      expect(problemsOf({ ...base, cache: { admitOnFirstSight: 1 } })).toContainEqual(
        expect.stringMatching(/^cache\.admitOnFirstSight: must be true or false/),
      );
      expect(resolveAuthOptions({ ...base, cache: { enabled: false } }).cache).toEqual({
        enabled: false,
        maxEntries: 10_000,
        maxBytes: 16 * 1024 * 1024,
        admitOnFirstSight: false,
      });
    });

    it('refuses a prune interval a Node timer cannot hold, rather than pruning every millisecond', () => {
      // setInterval turns any delay above 2^31 - 1 ms (about 24.8 days) into 1 ms.
      expect(problemsOf({ ...base, refresh: refresh({ pruneInterval: '30d' }) })).toContainEqual(
        expect.stringMatching(/^refresh\.pruneInterval: is 2592000s; it must be at most 2147483s/),
      );
      expect(problemsOf({ ...base, refresh: refresh({ pruneInterval: '1ms' }) })).toContainEqual(
        expect.stringMatching(/^refresh\.pruneInterval: is 0\.001s; it must be at least 1s/),
      );
      expect(
        resolveAuthOptions({ ...base, refresh: refresh({ pruneInterval: '24d' }) }).refresh
          ?.pruneInterval,
      ).toBe(24 * 86_400);
    });

    it('validates refresh options', () => {
      expect(problemsOf({ ...base, refresh: refresh({ reuseGracePeriod: '2m' }) })).toContainEqual(
        expect.stringMatching(/^refresh\.reuseGracePeriod: is 120s; it must be at most 60s/),
      );
      expect(
        problemsOf({ ...base, refresh: refresh({ ttl: '1d', idleTtl: '2d' }) }),
      ).toContainEqual(
        expect.stringMatching(/^refresh\.idleTtl: is 172800s, longer than refresh\.ttl/),
      );
      expect(problemsOf({ ...base, refresh: refresh({ maxSessionsPerUser: -1 }) })).toContainEqual(
        expect.stringMatching(/^refresh\.maxSessionsPerUser: must be an integer >= 0/),
      );
      expect(problemsOf({ ...base, refresh: refresh({ maxSessionsPerUser: 1.5 }) })).toContainEqual(
        expect.stringMatching(/^refresh\.maxSessionsPerUser: must be an integer >= 0/),
      );
      expect(problemsOf({ ...base, refresh: refresh({ secret: 'short' }) })).toContainEqual(
        expect.stringMatching(/^refresh\.secret: is shorter than 32 bytes/),
      );
      expect(problemsOf({ ...base, refresh: { store } })).toContainEqual(
        expect.stringMatching(/^refresh\.resolveUser: must be a function/),
      );
      expect(
        problemsOf({ ...base, refresh: refresh({ resolveUser: 'users' as never }) }),
      ).toContainEqual(expect.stringMatching(/^refresh\.resolveUser: must be a function/));
      expect(problemsOf({ ...base, refresh: { resolveUser: () => null } })).toContainEqual(
        expect.stringMatching(/^refresh\.store: .*TypeOrmRefreshTokenStore/),
      );
      expect(problemsOf({ ...base, refresh: refresh({ ttl: '30' }) })).toContainEqual(
        expect.stringMatching(/^refresh\.ttl: '30' has no unit/),
      );
    });

    it('turns a refresh secret into bytes', () => {
      const secret = randomBytes(32).toString('base64url');
      const resolved = resolveAuthOptions({ ...base, refresh: refresh({ secret }) });
      expect(resolved.refresh?.secret).toEqual(new TextEncoder().encode(secret));
    });

    it('requires a signing key for refresh sessions', () => {
      expect(
        problemsOf({
          ...base,
          keys: [{ publicKey: testKeyPair('ES256').publicPem }],
          refresh: refresh(),
        }),
      ).toContainEqual(expect.stringMatching(/^refresh: needs a signing key/));
      expect(
        problemsOf({
          issuer: TEST_ISSUER,
          audience: TEST_AUDIENCE,
          jwks: { url: 'https://a.example/jwks' },
          refresh: refresh(),
        }),
      ).toContainEqual(
        expect.stringMatching(/^refresh: needs a signing key, and jwks mode verifies only/),
      );
    });

    it('validates revocation.store', () => {
      expect(problemsOf({ ...base, revocation: { store: {} } })).toContainEqual(
        expect.stringMatching(/^revocation\.store: must implement RevocationStore/),
      );
    });

    it('reports queryParameter with extractors as having no effect', () => {
      expect(
        problemsOf({ ...base, queryParameter: 'token', extractors: [() => null] }),
      ).toContainEqual(expect.stringMatching(/^queryParameter: has no effect/));
    });

    it('reports unknown options, at the top level and inside objects', () => {
      expect(problemsOf({ ...base, issuerr: 'x' })).toContainEqual(
        expect.stringMatching(/^issuerr: is not a known option; remove it or fix its spelling/),
      );
      expect(
        problemsOf({ ...base, keys: [{ privatekey: testKeyPair('ES256').privatePem }] }),
      ).toContainEqual(expect.stringMatching(/^keys\[0\]\.privatekey: is not a known option/));
      expect(problemsOf({ ...base, refresh: refresh({ ttll: '1d' } as never) })).toContainEqual(
        expect.stringMatching(/^refresh\.ttll: is not a known option/),
      );
    });

    it('refuses options that are not an object', () => {
      expect(problemsOf(undefined)).toContainEqual(
        expect.stringMatching(/^options: must be an object/),
      );
    });

    it('lists every problem in one error', () => {
      const problems = problemsOf({
        issuer: '',
        audience: [],
        algorithm: 'HS256',
        keys: [
          { secret: 'short' },
          { kid: 'x', secret: testSecret() },
          { kid: 'x', secret: testSecret('b') },
        ],
        accessTokenTtl: '900',
        clockTolerance: '10m',
        cache: { maxEntries: -1 },
        refresh: { resolveUser: () => null, reuseGracePeriod: '5m' },
        typo: true,
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^issuer: /),
          expect.stringMatching(/^audience: /),
          expect.stringMatching(/^keys\[0\]\.secret: /),
          expect.stringMatching(/^keys\[2\]\.kid: /),
          expect.stringMatching(/^accessTokenTtl: /),
          expect.stringMatching(/^clockTolerance: /),
          expect.stringMatching(/^cache\.maxEntries: /),
          expect.stringMatching(/^refresh\.store: /),
          expect.stringMatching(/^refresh\.reuseGracePeriod: /),
          expect.stringMatching(/^typo: /),
        ]),
      );
      expect(problems).toHaveLength(10);
    });

    describe('refuses what cannot be safe or cannot work', () => {
      // Number.MAX_VALUE seconds is finite, so it passed; its expiry in milliseconds is not.
      it.each([
        ['accessTokenTtl', { ...base, accessTokenTtl: Number.MAX_VALUE }, 86_400],
        ['clockTolerance', { ...base, clockTolerance: Number.MAX_VALUE }, 60],
        ['refresh.ttl', { ...base, refresh: refresh({ ttl: Number.MAX_VALUE }) }, 3_155_760_000],
        [
          'refresh.idleTtl',
          { ...base, refresh: refresh({ ttl: '1d', idleTtl: Number.MAX_VALUE }) },
          3_155_760_000,
        ],
        [
          'refresh.reuseGracePeriod',
          { ...base, refresh: refresh({ reuseGracePeriod: Number.MAX_VALUE }) },
          60,
        ],
        [
          'refresh.pruneInterval',
          { ...base, refresh: refresh({ pruneInterval: Number.MAX_VALUE }) },
          2_147_483,
        ],
        [
          'refresh.pruneRevokedAfter',
          { ...base, refresh: refresh({ pruneRevokedAfter: Number.MAX_VALUE }) },
          3_155_760_000,
        ],
        ['jwks.cacheMaxAge', jwksWith({ cacheMaxAge: Number.MAX_VALUE }), 3_155_760_000],
        ['jwks.cooldownDuration', jwksWith({ cooldownDuration: Number.MAX_VALUE }), 3_155_760_000],
        ['jwks.timeoutDuration', jwksWith({ timeoutDuration: Number.MAX_VALUE }), 2_147_483],
      ])('refuses %s: Number.MAX_VALUE, naming its maximum', (path, options, max) => {
        expect(problemsOf(options)).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^${path.replace('.', '\\.')}: is 1\\.79\\d*e\\+308s; it must be at most ${max}s, lower it`,
            ),
          ),
        );
      });

      it('accepts 100 years as the longest session, and refuses a day more', () => {
        expect(
          resolveAuthOptions({ ...base, refresh: refresh({ ttl: '100y', idleTtl: '100y' }) })
            .refresh,
        ).toMatchObject({ ttl: 3_155_760_000, idleTtl: 3_155_760_000 });
        expect(problemsOf({ ...base, refresh: refresh({ ttl: 3_155_760_000 + 86_400 }) })).toEqual([
          expect.stringMatching(/^refresh\.ttl: is 3155846400s; it must be at most 3155760000s/),
        ]);
      });

      it('refuses a duration that is not a whole number of milliseconds', () => {
        expect(problemsOf({ ...base, refresh: refresh({ ttl: '1.5ms' }) })).toContainEqual(
          expect.stringMatching(
            /^refresh\.ttl: is 0\.0015s, not a whole number of milliseconds; round it, e\.g\. to '2ms'/,
          ),
        );
        expect(problemsOf({ ...base, accessTokenTtl: 60.0005 })).toContainEqual(
          expect.stringMatching(
            /^accessTokenTtl: is 60\.0005s, not a whole number of milliseconds/,
          ),
        );
        // Float noise is not a fraction: 1.1 s is 1100 ms.
        expect(resolveAuthOptions({ ...base, clockTolerance: 1.1 }).clockTolerance).toBe(1.1);
      });

      it('refuses an access-token lifetime over 24 h, pointing at refresh sessions', () => {
        expect(problemsOf({ ...base, accessTokenTtl: '2d' })).toEqual([
          'accessTokenTtl: is 172800s; it must be at most 86400s, lower it (access tokens are short-lived; keep users logged in longer with refresh sessions)',
        ]);
        expect(problemsOf({ ...base, accessTokenTtl: 86_401 })).toContainEqual(
          expect.stringMatching(/^accessTokenTtl: is 86401s; it must be at most 86400s/),
        );
        expect(resolveAuthOptions({ ...base, accessTokenTtl: '24h' }).accessTokenTtl).toBe(86_400);
      });

      it('refuses a remote JWKS cacheMaxAge or cooldownDuration of 0 (one fetch per token)', () => {
        expect(problemsOf(jwksWith({ cacheMaxAge: 0, cooldownDuration: '0s' }))).toEqual([
          'jwks.cacheMaxAge: is 0s; it must be at least 1s, raise it (shorter, nearly every token fetches the JWKS again)',
          'jwks.cooldownDuration: is 0s; it must be at least 1s, raise it (shorter, every token with an unknown kid fetches the JWKS again)',
        ]);
        expect(problemsOf(jwksWith({ cooldownDuration: '500ms' }))).toContainEqual(
          expect.stringMatching(/^jwks\.cooldownDuration: is 0\.5s; it must be at least 1s/),
        );
        expect(
          resolveAuthOptions(jwksWith({ cacheMaxAge: '1s', cooldownDuration: 1 })).jwks,
        ).toMatchObject({ cacheMaxAge: 1, cooldownDuration: 1 });
      });

      it('refuses a JWKS timeout a Node timer cannot hold (it would abort every fetch at once)', () => {
        expect(problemsOf(jwksWith({ timeoutDuration: '30d' }))).toContainEqual(
          expect.stringMatching(/^jwks\.timeoutDuration: is 2592000s; it must be at most 2147483s/),
        );
      });

      it.each([
        ['one byte repeated', 'x'.repeat(32), 1],
        ['a short pattern repeated', 'abcd'.repeat(8), 4],
        ['32 zero bytes', new Uint8Array(32), 1],
        ['a word repeated', 'secret'.repeat(6), 5],
      ])('refuses an HS256 secret of %s', (_what, secret, distinct) => {
        expect(problemsOf(hs256Options(secret))).toEqual([
          `keys[0].secret: holds only ${distinct} different byte value${distinct === 1 ? '' : 's'} (at least 8 required), so it is not random; use at least 32 random bytes, e.g. randomBytes(32).toString('base64url'), never a password or a repeated pattern`,
        ]);
      });

      it('accepts random secrets in every usual encoding', () => {
        for (const secret of [
          new Uint8Array(randomBytes(32)),
          randomBytes(32).toString('base64url'),
          randomBytes(32).toString('hex'),
          randomBytes(32).toString('base64'),
        ]) {
          expect(resolveAuthOptions(hs256Options(secret)).canSign).toBe(true);
        }
      });

      it('refuses a refresh secret without entropy, as an HS256 secret', () => {
        expect(
          problemsOf({ ...base, refresh: refresh({ secret: '0'.repeat(64) }) }),
        ).toContainEqual(
          expect.stringMatching(/^refresh\.secret: holds only 1 different byte value/),
        );
      });

      it('refuses a refresh secret equal to an HS256 signing secret, in any encoding', () => {
        const secret = randomBytes(32).toString('base64url');
        const message =
          'refresh.secret: is the same as keys[0].secret; give refresh tokens their own random secret, or leave refresh.secret out to derive one from the signing key';
        expect(problemsOf(hs256Options(secret, { refresh: refresh({ secret }) }))).toEqual([
          message,
        ]);
        expect(
          problemsOf(
            hs256Options(secret, { refresh: refresh({ secret: Buffer.from(secret, 'utf8') }) }),
          ),
        ).toEqual([message]);
        // A retired HS256 key still verifies: its secret is just as taken.
        const retired = testSecret('retired');
        expect(
          problemsOf({
            ...testAuthOptions('HS256'),
            keys: [{ secret: testSecret() }, { kid: 'old', secret: retired }],
            refresh: refresh({ secret: retired }),
          }),
        ).toEqual([message.replace('keys[0]', 'keys[1]')]);
        expect(
          resolveAuthOptions(
            hs256Options(secret, { refresh: refresh({ secret: testSecret('refresh') }) }),
          ).refresh?.secret,
        ).toEqual(testSecret('refresh'));
      });

      it('lists every one of these problems in the one start-up error', () => {
        const problems = problemsOf({
          ...hs256Options('x'.repeat(32)),
          accessTokenTtl: '7d',
          refresh: refresh({ ttl: Number.MAX_VALUE, secret: 'x'.repeat(32) }),
        });
        expect(problems).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^keys\[0\]\.secret: holds only 1 different/),
            expect.stringMatching(/^accessTokenTtl: is 604800s; it must be at most 86400s/),
            expect.stringMatching(/^refresh\.ttl: is 1\.79\d*e\+308s; it must be at most/),
            expect.stringMatching(/^refresh\.secret: holds only 1 different/),
            expect.stringMatching(/^refresh\.secret: is the same as keys\[0\]\.secret/),
          ]),
        );
        expect(problems).toHaveLength(5);
      });
    });

    it('says in the error message what to fix', () => {
      expect(() => resolveAuthOptions({ ...base, issuer: '' })).toThrow(
        /Invalid AuthModule options \(1 problem\):\n {2}- issuer: must not be empty; use e\.g\./,
      );
    });
  });
});
