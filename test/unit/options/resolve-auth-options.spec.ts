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
      // 32 characters of a multi-byte alphabet are more than 32 bytes; bytes are what count.
      expect(
        resolveAuthOptions(testAuthOptions('HS256', { keys: [{ secret: 'é'.repeat(16) }] }))
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
      const secret = 'x'.repeat(32);
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

    it('says in the error message what to fix', () => {
      expect(() => resolveAuthOptions({ ...base, issuer: '' })).toThrow(
        /Invalid AuthModule options \(1 problem\):\n {2}- issuer: must not be empty; use e\.g\./,
      );
    });
  });
});
