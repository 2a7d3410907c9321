import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../../../lib/access-token/access-token-claims.js';
import { createKeyRing, type KeySet } from '../../../lib/keys/key-ring.js';
import { resolveAuthOptions } from '../../../lib/options/resolve-auth-options.js';
import { testAuthOptions, testKeyPair } from '../../support/keys.js';
import { createAccessTokenVerifier } from '../../../lib/access-token/verify-access-token.js';
import {
  VerifiedTokenCache,
  createVerifiedTokenCache,
  estimateEntryBytes,
} from '../../../lib/access-token/verified-token-cache.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { countingKeyRing, createKit } from './access-token-kit.js';

async function countingKit(overrides: Parameters<typeof createKit>[1] = {}) {
  let counter: ReturnType<typeof countingKeyRing> | undefined;
  const kit = await createKit(
    'ES256',
    overrides,
    (keyRing) => (counter = countingKeyRing(keyRing)),
  );
  return { ...kit, verifications: () => counter?.calls() ?? 0 };
}

function claims(exp: number): AccessTokenClaims {
  return { iss: 'i', aud: 'a', sub: 's', iat: exp - 60, exp, jti: 'j', roles: [] };
}

const KEYS: KeySet = { ids: new Set(['k']) };

/** A distinct 7.5 kB token-sized string. */
function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function bigToken(index: number): string {
  return `${index}`.padStart(7500, 'x');
}

describe('verified-token cache', () => {
  it('caches a token on its second sight and serves it from then on without verifying', async () => {
    const kit = await countingKit();
    const { token } = await kit.sign();
    await kit.verifier.verify(token);
    expect(kit.verifier.verifyCached(token)).toBeUndefined();
    const second = await kit.verifier.verify(token);
    expect(kit.verifications()).toBe(2);
    expect(await kit.verifier.verify(token)).toBe(second);
    expect(kit.verifier.verifyCached(token)).toBe(second);
    expect(kit.verifications()).toBe(2);
  });

  it('caches on the first sight with admitOnFirstSight', async () => {
    const kit = await countingKit({ cache: { admitOnFirstSight: true } });
    const { token } = await kit.sign();
    const first = await kit.verifier.verify(token);
    expect(await kit.verifier.verify(token)).toBe(first);
    expect(kit.verifications()).toBe(1);
  });

  it('does not let tokens seen once evict the tokens that repeat', () => {
    const clock = new FixedClock(0);
    const cache = new VerifiedTokenCache(
      { maxEntries: 2, maxBytes: 1 << 20, admitOnFirstSight: false },
      clock,
    );
    for (const token of ['a', 'a', 'b', 'b']) cache.set(token, claims(100), 'k', KEYS);
    for (let index = 0; index < 100; index += 1) cache.set(`once-${index}`, claims(100), 'k', KEYS);
    expect(cache.size).toBe(2);
    expect(cache.get('a', KEYS)).toBeDefined();
    expect(cache.get('b', KEYS)).toBeDefined();
  });

  it('keeps the estimated bytes within maxBytes, dropping the least recently used', () => {
    const clock = new FixedClock(0);
    const perEntry = estimateEntryBytes(bigToken(0));
    const cache = new VerifiedTokenCache(
      { maxEntries: 10_000, maxBytes: perEntry * 3, admitOnFirstSight: true },
      clock,
    );
    for (let index = 0; index < 10; index += 1) cache.set(bigToken(index), claims(100), 'k', KEYS);
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBeLessThanOrEqual(perEntry * 3);
    expect(cache.get(bigToken(9), KEYS)).toBeDefined();
    expect(cache.get(bigToken(0), KEYS)).toBeUndefined();
  });

  it('drops an entry whose key left the key set, and keeps one whose key is still there', () => {
    const clock = new FixedClock(0);
    const cache = new VerifiedTokenCache(10, clock);
    cache.set('by-old', claims(100), 'old', { ids: new Set(['old', 'new']) });
    cache.set('by-new', claims(100), 'new', { ids: new Set(['old', 'new']) });
    const rotated: KeySet = { ids: new Set(['new']) };
    expect(cache.get('by-old', rotated)).toBeUndefined();
    expect(cache.get('by-new', rotated)).toBeDefined();
    expect(cache.size).toBe(1);
  });

  it('refuses a cached token once its key is removed from the configuration', async () => {
    // Two keys, the token signed with the second; then the second key is removed. The cache
    // outlives the reconfiguration (it is handed to the new verifier).
    const retired = testKeyPair('ES256', 'retired');
    const kit = await createKit('ES256', {
      keys: [
        { kid: 'retired', privateKey: retired.privatePem },
        { kid: 'current', privateKey: testKeyPair('ES256', 'current').privatePem },
      ],
      cache: { admitOnFirstSight: true },
    });
    const cache = new VerifiedTokenCache(10, kit.clock);
    const before = createAccessTokenVerifier(kit.options, kit.keyRing, kit.clock, cache);
    const { token } = await kit.sign();
    await before.verify(token);
    expect(cache.size).toBe(1);

    const options = resolveAuthOptions(
      testAuthOptions('ES256', {
        keys: [{ kid: 'current', publicKey: testKeyPair('ES256', 'current').publicPem }],
      }),
    );
    const after = createAccessTokenVerifier(
      options,
      await createKeyRing(options),
      kit.clock,
      cache,
    );
    expect(after.verifyCached(token)).toBeUndefined();
    await expect(after.verify(token)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
    });
  });

  it('verifies again once the clock reaches exp, then reports the token expired', async () => {
    const kit = await countingKit({ cache: { admitOnFirstSight: true } });
    const { token, expiresAt } = await kit.sign();
    await kit.verifier.verify(token);
    kit.clock.set(expiresAt * 1000 - 1);
    await kit.verifier.verify(token);
    expect(kit.verifications()).toBe(1);

    kit.clock.set(expiresAt * 1000);
    await expect(kit.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' }); // within clockTolerance
    expect(kit.verifications()).toBe(2);

    kit.clock.advance(5);
    await expect(kit.verifier.verify(token)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_EXPIRED',
    });
    expect(kit.verifications()).toBe(3);
  });

  it('never caches a token that failed verification', async () => {
    const kit = await countingKit();
    const { token } = await kit.sign();
    const forged = `${token.slice(0, -4)}AAAA`;
    await expect(kit.verifier.verify(forged)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
    });
    await expect(kit.verifier.verify(forged)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
    });
    expect(kit.verifications()).toBe(2);
  });

  it('keys entries by the exact token string', async () => {
    const kit = await countingKit();
    const { token } = await kit.sign();
    await kit.verifier.verify(token);
    await expect(kit.verifier.verify(`${token}x`)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
    });
    await expect(kit.verifier.verify(` ${token}`)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
    });
  });

  it('does not serve a cached token to another token that reuses its signature', async () => {
    const kit = await countingKit({ cache: { admitOnFirstSight: true } });
    const { token } = await kit.sign();
    await kit.verifier.verify(token);
    const [, payload, signature] = token.split('.');
    const forged = `${b64url({ alg: 'ES256', typ: 'at+jwt' })}.${payload}.${signature}`;
    expect(kit.verifier.verifyCached(forged)).toBeUndefined();
    await expect(kit.verifier.verify(forged)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
    });
    expect(kit.verifier.verifyCached(token)).toBeDefined();
  });

  it('verifies every time when the cache is disabled', async () => {
    const kit = await countingKit({ cache: { enabled: false } });
    const { token } = await kit.sign();
    await kit.verifier.verify(token);
    await kit.verifier.verify(token);
    expect(kit.verifications()).toBe(2);
    expect(createVerifiedTokenCache(kit.options, kit.clock)).toBeNull();
  });

  it('keeps at most maxEntries tokens, dropping the least recently used', () => {
    const clock = new FixedClock(0);
    const cache = new VerifiedTokenCache(2, clock);
    cache.set('a', claims(100), 'k', KEYS);
    cache.set('b', claims(100), 'k', KEYS);
    cache.get('a', KEYS);
    cache.set('c', claims(100), 'k', KEYS);
    expect(cache.size).toBe(2);
    expect(cache.get('b', KEYS)).toBeUndefined();
    expect(cache.get('a', KEYS)).toBeDefined();
    expect(cache.get('c', KEYS)).toBeDefined();
  });

  it('bounds the verifier cache by options.cache.maxEntries', async () => {
    const kit = await countingKit({ cache: { maxEntries: 1, admitOnFirstSight: true } });
    const [one, two] = await Promise.all([kit.sign(), kit.sign()]);
    await kit.verifier.verify(one.token);
    await kit.verifier.verify(two.token);
    await kit.verifier.verify(one.token);
    expect(kit.verifications()).toBe(3);
  });

  it('does not store a token already past exp', () => {
    const clock = new FixedClock(200_000);
    const cache = new VerifiedTokenCache(10, clock);
    cache.set('old', claims(100), 'k', KEYS);
    expect(cache.size).toBe(0);
  });
});
