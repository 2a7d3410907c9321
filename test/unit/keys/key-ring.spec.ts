import type { webcrypto } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthConfigurationError } from '../../../lib/auth.errors.js';
import { createKeyRing, type KeyRing } from '../../../lib/keys/key-ring.js';
import { createAccessTokenVerifier } from '../../../lib/access-token/verify-access-token.js';
import type {
  AuthKeyOptions,
  AuthModuleOptions,
} from '../../../lib/options/auth-module-options.js';
import { resolveAuthOptions } from '../../../lib/options/resolve-auth-options.js';
import { FixedClock } from '../../support/fixed-clock.js';
import {
  ASYMMETRIC_ALGORITHMS,
  TEST_AUDIENCE,
  TEST_ISSUER,
  rsaKeyPair,
  testAuthOptions,
  testKey,
  testKeyPair,
  testSecret,
} from '../../support/keys.js';
import { createKit, forgeWithNodeCrypto } from '../access-token/access-token-kit.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function ring(options: AuthModuleOptions): Promise<KeyRing> {
  return createKeyRing(resolveAuthOptions(options));
}

async function keyProblems(keys: AuthKeyOptions[]): Promise<readonly string[]> {
  const error: unknown = await ring(testAuthOptions('ES256', { keys })).catch(
    (thrown: unknown) => thrown,
  );
  expect(error).toMatchObject({ code: 'ERR_AUTH_CONFIGURATION' });
  return (error as AuthConfigurationError).problems;
}

function issuerToken(clock: FixedClock, header: Record<string, unknown> & { alg: string }) {
  const now = Math.floor(clock.now() / 1000);
  const claims = {
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    sub: 'u1',
    iat: now,
    exp: now + 60,
    jti: 'j1',
  };
  return forgeWithNodeCrypto({ typ: 'at+jwt', ...header }, claims, testKeyPair('ES256').privateKey);
}

describe('createKeyRing', () => {
  describe('key forms', () => {
    it.each(ASYMMETRIC_ALGORITHMS)(
      'imports %s keys as PEM, JWK or KeyObject to the same kid',
      async (alg) => {
        const pair = testKeyPair(alg);
        const forms: AuthKeyOptions[] = [
          { privateKey: pair.privatePem },
          { privateKey: pair.privateJwk },
          { privateKey: pair.privateKey },
          { publicKey: pair.publicPem },
          { publicKey: pair.publicJwk },
          { publicKey: pair.publicKey },
          { privateKey: pair.privatePem, publicKey: pair.publicJwk },
        ];
        const expectedKid = await calculateJwkThumbprint(pair.publicJwk);
        for (const key of forms) {
          const keyRing = await ring(testAuthOptions(alg, { keys: [{ algorithm: alg, ...key }] }));
          expect(keyRing.jwks.keys[0]?.kid).toBe(expectedKid);
          expect(keyRing.signer === null).toBe(key.privateKey === undefined);
        }
      },
    );

    it('signs with a private KeyObject as is and verifies with its derived public key', async () => {
      const kit = await createKit('ES256', {
        keys: [{ privateKey: testKeyPair('ES256').privateKey }],
      });
      expect(kit.keyRing.signer?.key).toBe(testKeyPair('ES256').privateKey);
      await expect(kit.verifier.verify((await kit.sign()).token)).resolves.toMatchObject({
        sub: 'user-1',
      });
    });

    it('uses an explicit kid, and for HS256 defaults to the thumbprint of the oct JWK', async () => {
      expect(
        (await ring(testAuthOptions('ES256', { keys: [{ ...testKey('ES256'), kid: 'k1' }] })))
          .signer?.kid,
      ).toBe('k1');
      const hs = await ring(testAuthOptions('HS256'));
      expect(hs.signer?.kid).toBe(
        await calculateJwkThumbprint({ kty: 'oct', k: base64url.encode(testSecret()) }),
      );
      // Imported once as an HMAC key, so no request re-imports the secret.
      const key = hs.signer?.key as webcrypto.CryptoKey;
      expect(key.algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-256' } });
      expect(new Uint8Array(await crypto.subtle.exportKey('raw', key))).toEqual(testSecret());
    });

    it('lists the algorithms of the configured keys, one per key', async () => {
      const keyRing = await ring(
        testAuthOptions('ES256', {
          keys: [
            testKey('ES256'),
            testKey('RS256'),
            { publicKey: testKeyPair('ES256', 'old').publicPem },
          ],
        }),
      );
      expect(keyRing.algorithms).toEqual(['ES256', 'RS256']);
    });
  });

  describe('import failures', () => {
    it('names a bad PEM by index', async () => {
      const problems = await keyProblems([
        testKey('ES256'),
        { privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' },
      ]);
      expect(problems).toEqual([
        expect.stringMatching(/^keys\[1\]\.privateKey: is not a usable ES256 private key/),
      ]);
    });

    it.each([
      ['an ES384 key for ES256', 'ES256', testKeyPair('ES384').privatePem],
      ['an ES256 key for ES384', 'ES384', testKeyPair('ES256').privateKey],
      ['an RSA key for ES256', 'ES256', testKeyPair('RS256').privateJwk],
      ['an EC key for RS256', 'RS256', testKeyPair('ES256').privatePem],
      ['an RSA key for EdDSA', 'EdDSA', testKeyPair('RS256').privateKey],
      ['a 1024-bit RSA key', 'RS256', rsaKeyPair(1024).privatePem],
      ['a 1024-bit RSA JWK for PS256', 'PS256', rsaKeyPair(1024).privateJwk],
    ] as const)('refuses %s', async (_name, algorithm, privateKey) => {
      const problems = await keyProblems([{ algorithm, privateKey }]);
      expect(problems).toEqual([
        expect.stringMatching(
          new RegExp(`^keys\\[0\\]\\.privateKey: is not a usable ${algorithm} private key`),
        ),
      ]);
    });

    it('refuses public material where private is expected and the reverse', async () => {
      const pair = testKeyPair('ES256');
      expect(await keyProblems([{ privateKey: pair.publicJwk }])).toEqual([
        expect.stringMatching(/no private member "d"/),
      ]);
      expect(await keyProblems([{ privateKey: pair.publicKey }])).toEqual([
        expect.stringMatching(/public KeyObject/),
      ]);
      expect(await keyProblems([{ publicKey: pair.privateKey }])).toEqual([
        expect.stringMatching(/private KeyObject/),
      ]);
      expect(await keyProblems([{ publicKey: pair.privatePem }])).toEqual([
        expect.stringMatching(/^keys\[0\]\.publicKey: is not a usable ES256 public key/),
      ]);
    });

    it('refuses a JWK declaring another alg', async () => {
      const problems = await keyProblems([
        { privateKey: { ...testKeyPair('ES256').privateJwk, alg: 'ES384' } },
      ]);
      expect(problems).toEqual([expect.stringMatching(/declares alg 'ES384', not ES256/)]);
    });

    it('refuses a public key that does not belong to the private key', async () => {
      const problems = await keyProblems([
        {
          privateKey: testKeyPair('ES256').privatePem,
          publicKey: testKeyPair('ES256', 'other').publicPem,
        },
      ]);
      expect(problems).toEqual([
        expect.stringMatching(/^keys\[0\]\.publicKey: does not belong to privateKey/),
      ]);
    });

    it('refuses the same key twice (same thumbprint kid)', async () => {
      const problems = await keyProblems([
        testKey('ES256'),
        { publicKey: testKeyPair('ES256').publicPem },
      ]);
      expect(problems).toEqual([
        expect.stringMatching(/^keys\[1\]\.kid: '.+' is also the kid of keys\[0\]/),
      ]);
    });

    it('lists every bad key together', async () => {
      const problems = await keyProblems([
        { privateKey: 'garbage' },
        testKey('ES256'),
        { algorithm: 'RS256', privateKey: rsaKeyPair(1024).privatePem },
      ]);
      expect(problems).toEqual([
        expect.stringMatching(/^keys\[0\]\.privateKey: /),
        expect.stringMatching(/^keys\[2\]\.privateKey: .*RSA key of 1024 bits/),
      ]);
    });
  });

  describe('jwks', () => {
    it('never publishes an HS256 key', async () => {
      expect((await ring(testAuthOptions('HS256'))).jwks).toEqual({ keys: [] });
    });

    it.each(ASYMMETRIC_ALGORITHMS)(
      'publishes %s keys with public members, kid, alg and use only',
      async (alg) => {
        const keyRing = await ring(testAuthOptions(alg));
        const [jwk] = keyRing.jwks.keys as JWK[];
        expect(jwk).toMatchObject({ kid: keyRing.signer?.kid, alg, use: 'sig' });
        for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
        expect(Object.keys(jwk ?? {}).toSorted()).toEqual(
          [
            ...(alg.startsWith('RS') || alg.startsWith('PS')
              ? ['n', 'e']
              : alg === 'EdDSA'
                ? ['crv', 'x']
                : ['crv', 'x', 'y']),
            'kty',
            'kid',
            'alg',
            'use',
          ].toSorted(),
        );
      },
    );

    it('publishes every asymmetric key, never the HS256 secret, and is frozen', async () => {
      const keyRing = await ring(
        testAuthOptions('ES256', {
          keys: [
            testKey('ES256'),
            { algorithm: 'HS256', secret: testSecret() },
            { algorithm: 'EdDSA', publicKey: testKeyPair('EdDSA').publicPem },
          ],
        }),
      );
      expect(keyRing.jwks.keys.map((jwk) => jwk.alg)).toEqual(['ES256', 'EdDSA']);
      expect(JSON.stringify(keyRing.jwks)).not.toContain(base64url.encode(testSecret()));
      expect(keyRing.jwks.keys.some((jwk) => jwk.kty === 'oct')).toBe(false);
      expect(Object.isFrozen(keyRing.jwks.keys)).toBe(true);
      expect(Object.isFrozen(keyRing.jwks.keys[0])).toBe(true);
    });

    it('publishes only public members even from a private JWK with extra members', async () => {
      const keyRing = await ring(
        testAuthOptions('RS256', {
          keys: [{ privateKey: { ...testKeyPair('RS256').privateJwk, x5c: ['MII'], ext: true } }],
        }),
      );
      expect(Object.keys(keyRing.jwks.keys[0] ?? {}).toSorted()).toEqual([
        'alg',
        'e',
        'kid',
        'kty',
        'n',
        'use',
      ]);
    });
  });

  describe('resolveKey', () => {
    it('resolves only a configured kid with its own algorithm', async () => {
      const keyRing = await ring(
        testAuthOptions('ES256', { keys: [testKey('ES256'), testKey('RS256')] }),
      );
      const kid = keyRing.signer?.kid;
      const input = { payload: '', signature: '' };
      await expect(keyRing.resolveKey({ alg: 'ES256', kid }, input)).resolves.toBeDefined();
      await expect(keyRing.resolveKey({ alg: 'RS256', kid }, input)).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
      await expect(keyRing.resolveKey({ alg: 'HS256', kid }, input)).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
      await expect(keyRing.resolveKey({ alg: 'ES256' }, input)).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
      await expect(keyRing.resolveKey({ alg: 'ES256', kid: 'nope' }, input)).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
    });
  });

  describe('remote JWKS (verify-only)', () => {
    let server: Server;
    let body = '';
    let requests = 0;
    let url = '';

    beforeAll(async () => {
      server = createServer((_request, response) => {
        requests += 1;
        response.setHeader('content-type', 'application/json');
        response.end(body);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => {
      server.close();
    });

    async function remoteVerifier(
      overrides: { cacheMaxAge?: number; cache?: AuthModuleOptions['cache'] } = {},
    ) {
      const clock = new FixedClock(Date.now());
      const options = resolveAuthOptions({
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        jwks: {
          url,
          ...(overrides.cacheMaxAge === undefined ? {} : { cacheMaxAge: overrides.cacheMaxAge }),
        },
        ...(overrides.cache === undefined ? {} : { cache: overrides.cache }),
      });
      const keyRing = await createKeyRing(options);
      return { clock, keyRing, verifier: createAccessTokenVerifier(options, keyRing, clock) };
    }

    it('verifies tokens with keys fetched from the issuer JWKS, and cannot sign', async () => {
      const issuer = await createKit('ES256');
      body = JSON.stringify(issuer.keyRing.jwks);
      const { clock, keyRing, verifier } = await remoteVerifier();
      expect(keyRing.signer).toBeNull();
      expect(keyRing.algorithms).toEqual(['ES256']);
      expect(keyRing.jwks).toEqual({ keys: [] });
      const token = issuerToken(clock, { alg: 'ES256', kid: issuer.keyRing.signer?.kid });
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u1' });
    });

    it('accepts a remote key without alg whose type and curve fit the pinned algorithm', async () => {
      const issuer = await createKit('ES256');
      const [jwk] = issuer.keyRing.jwks.keys;
      body = JSON.stringify({ keys: [{ ...jwk, alg: undefined }] });
      const { clock, verifier } = await remoteVerifier();
      const token = issuerToken(clock, { alg: 'ES256', kid: jwk?.kid });
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u1' });
    });

    it('refuses a remote key without alg whose curve does not fit, or that declares another alg', async () => {
      const issuer = await createKit('ES256');
      const other = await createKit('ES384');
      const [jwk] = issuer.keyRing.jwks.keys;
      const [p384] = other.keyRing.jwks.keys;
      const { clock, verifier } = await remoteVerifier();
      body = JSON.stringify({ keys: [{ ...p384, kid: jwk?.kid, alg: undefined }] });
      await expect(
        verifier.verify(issuerToken(clock, { alg: 'ES256', kid: jwk?.kid })),
      ).rejects.toMatchObject({ code: 'ERR_AUTH_ACCESS_TOKEN_INVALID' });
      const second = await remoteVerifier();
      body = JSON.stringify({ keys: [{ ...jwk, alg: 'ES384' }] });
      await expect(
        second.verifier.verify(issuerToken(second.clock, { alg: 'ES256', kid: jwk?.kid })),
      ).rejects.toMatchObject({ code: 'ERR_AUTH_ACCESS_TOKEN_INVALID' });
    });

    it('refuses a cached token once the issuer JWKS no longer lists its key', async () => {
      const issuer = await createKit('ES256');
      const other = await createKit('ES256', {
        keys: [{ kid: 'next', privateKey: testKeyPair('ES256', 'next').privatePem }],
      });
      body = JSON.stringify(issuer.keyRing.jwks);
      // cacheMaxAge 1 s (the least allowed): once it has passed, a cache hit finds the set stale
      // and reloads it in the background.
      const { clock, verifier } = await remoteVerifier({
        cacheMaxAge: 1,
        cache: { admitOnFirstSight: true },
      });
      const token = issuerToken(clock, { alg: 'ES256', kid: issuer.keyRing.signer?.kid });
      const claims = await verifier.verify(token);
      expect(verifier.verifyCached(token)).toBe(claims);

      body = JSON.stringify(other.keyRing.jwks);
      await vi.waitFor(() => expect(verifier.verifyCached(token)).toBeUndefined(), {
        timeout: 5000,
        interval: 20,
      });
      await expect(verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
      });
    });

    it('serves cached tokens without fetching while the JWKS is fresh', async () => {
      const issuer = await createKit('ES256');
      body = JSON.stringify(issuer.keyRing.jwks);
      const { clock, verifier } = await remoteVerifier({ cache: { admitOnFirstSight: true } });
      const token = issuerToken(clock, { alg: 'ES256', kid: issuer.keyRing.signer?.kid });
      await verifier.verify(token);
      const before = requests;
      for (let index = 0; index < 5; index += 1) expect(verifier.verifyCached(token)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requests).toBe(before);
    });

    it('refuses an algorithm other than the pinned one without fetching, and a jku header', async () => {
      const issuer = await createKit('ES256');
      body = JSON.stringify(issuer.keyRing.jwks);
      const { clock, verifier } = await remoteVerifier();
      const before = requests;
      const kid = issuer.keyRing.signer?.kid;
      await expect(
        verifier.verify(issuerToken(clock, { alg: 'ES384', kid })),
      ).rejects.toMatchObject({ code: 'ERR_AUTH_ACCESS_TOKEN_INVALID' });
      await expect(
        verifier.verify(issuerToken(clock, { alg: 'ES256', kid, jku: url })),
      ).rejects.toMatchObject({ code: 'ERR_AUTH_ACCESS_TOKEN_INVALID' });
      expect(requests).toBe(before);
    });
  });
});
