import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../../../lib/access-token/access-token-claims.js';
import {
  VerifiedTokenCache,
  createVerifiedTokenCache,
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

describe('verified-token cache', () => {
  it('serves a verified token from the cache without verifying it again', async () => {
    const kit = await countingKit();
    const { token } = await kit.sign();
    const first = await kit.verifier.verify(token);
    const second = await kit.verifier.verify(token);
    expect(second).toBe(first);
    expect(kit.verifications()).toBe(1);
  });

  it('verifies again once the clock reaches exp, then reports the token expired', async () => {
    const kit = await countingKit();
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
    cache.set('a', claims(100));
    cache.set('b', claims(100));
    cache.get('a');
    cache.set('c', claims(100));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('bounds the verifier cache by options.cache.maxEntries', async () => {
    const kit = await countingKit({ cache: { maxEntries: 1 } });
    const [one, two] = await Promise.all([kit.sign(), kit.sign()]);
    await kit.verifier.verify(one.token);
    await kit.verifier.verify(two.token);
    await kit.verifier.verify(one.token);
    expect(kit.verifications()).toBe(3);
  });

  it('does not store a token already past exp', () => {
    const clock = new FixedClock(200_000);
    const cache = new VerifiedTokenCache(10, clock);
    cache.set('old', claims(100));
    expect(cache.size).toBe(0);
  });
});
