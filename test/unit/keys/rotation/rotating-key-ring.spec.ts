import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../../../../lib/access-token/verify-access-token.js';
import { signAccessToken } from '../../../../lib/access-token/sign-access-token.js';
import type { AuthConfigurationError } from '../../../../lib/auth.errors.js';
import { createKeyRing } from '../../../../lib/keys/key-ring.js';
import { MemorySigningKeyStore } from '../../../../lib/keys/rotation/memory-signing-key.store.js';
import type { RotatingKeyRing } from '../../../../lib/keys/rotation/rotating-key-ring.js';
import type { AuthModuleOptions } from '../../../../lib/options/auth-module-options.js';
import { resolveAuthOptions } from '../../../../lib/options/resolve-auth-options.js';
import { FixedClock } from '../../../support/fixed-clock.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKey } from '../../../support/keys.js';

const rings: RotatingKeyRing[] = [];
afterEach(() => {
  for (const ring of rings.splice(0)) ring.onModuleDestroy();
});

// interval 1000 s, publishAhead 100 s, TTL 300 s, tolerance 5 s.
function rotationOptions(
  store: MemorySigningKeyStore,
  encryptionKey: Uint8Array | string,
  extra: Partial<AuthModuleOptions> = {},
): AuthModuleOptions {
  return {
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    accessTokenTtl: 300,
    clockTolerance: 5,
    rotation: { store, encryptionKey, interval: 1000, publishAhead: 100, checkInterval: 30 },
    ...extra,
  };
}

async function rotatingRing(options: AuthModuleOptions, clock: FixedClock) {
  const ring = (await createKeyRing(resolveAuthOptions(options), clock)) as RotatingKeyRing;
  rings.push(ring);
  return ring;
}

describe('rotating key ring', () => {
  it('creates one key for generation 1 when two instances start at once', async () => {
    const store = new MemorySigningKeyStore();
    const kek = randomBytes(32);
    const clock = new FixedClock();
    const [a, b] = await Promise.all([
      rotatingRing(rotationOptions(store, kek), clock),
      rotatingRing(rotationOptions(store, kek), clock),
    ]);
    expect(await store.list()).toHaveLength(1);
    expect(a.signer?.kid).toBe((await store.list())[0]?.kid);
    expect(b.signer?.kid).toBe(a.signer?.kid);
  });

  it('publishes the next key before it signs, switches at its time and removes the old one after the last token', async () => {
    const store = new MemorySigningKeyStore();
    const kek = randomBytes(32);
    const clock = new FixedClock();
    const options = resolveAuthOptions(rotationOptions(store, kek));
    const ring = await rotatingRing(rotationOptions(store, kek), clock);
    const verifier = createAccessTokenVerifier(options, ring, clock);
    const first = ring.signer!;
    const signerKey = first.key;
    expect(ring.jwks.keys.map((jwk) => jwk.kid)).toEqual([first.kid]);
    clock.advance(900);
    await ring.refreshKeys();
    const [, second] = await store.list();
    expect(second).toBeDefined();
    expect(ring.jwks.keys.map((jwk) => jwk.kid)).toEqual([first.kid, second!.kid]);
    expect(ring.signer?.kid).toBe(first.kid);
    // Imported once: the same key object on every use.
    expect(ring.signer?.key).toBe(signerKey);

    clock.advance(99);
    // The last token of the old key.
    const oldToken = (
      await signAccessToken(
        ring,
        { sub: 'u1', claims: { roles: [] } },
        {
          issuer: options.issuer,
          audience: options.audience,
          ttl: options.accessTokenTtl,
          nowMs: clock.now(),
        },
      )
    ).token;
    expect(decodeProtectedHeader(oldToken).kid).toBe(first.kid);
    clock.advance(1);
    expect(ring.signer?.kid).toBe(second!.kid);
    expect(ring.jwks.keys.map((jwk) => jwk.kid)).toEqual([second!.kid, first.kid]);

    clock.advance(300 + 3);
    // Past its exp, within the clock tolerance: still accepted.
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ sub: 'u1' });
    clock.set(Date.UTC(2026, 0, 1, 12) + 1000_000 + 310_000);
    expect(ring.jwks.keys.map((jwk) => jwk.kid)).toEqual([second!.kid]);
    await ring.refreshKeys();
    expect((await store.list()).map((row) => row.generation)).toEqual([2]);
  });

  it('keeps signing with the loaded keys while the store is down, and catches up after', async () => {
    const store = new MemorySigningKeyStore();
    const clock = new FixedClock();
    const ring = await rotatingRing(rotationOptions(store, randomBytes(32)), clock);
    const first = ring.signer!;
    const list = store.list.bind(store);
    store.list = () => Promise.reject(new Error('connection refused'));
    clock.advance(2000);
    await expect(ring.refreshKeys()).rejects.toThrow('connection refused');
    // Past its interval, but no successor could be created: it keeps signing and verifying.
    expect(ring.signer?.kid).toBe(first.kid);
    expect(ring.jwks.keys.map((jwk) => jwk.kid)).toEqual([first.kid]);
    store.list = list;
    await ring.refreshKeys();
    const [, second] = await store.list();
    // The late key still gets its full publishAhead before it signs.
    expect(second?.activatesAt).toBe(clock.now() + 100_000);
    expect(ring.signer?.kid).toBe(first.kid);
    clock.advance(100);
    expect(ring.signer?.kid).toBe(second?.kid);
  });

  it('publishes public members only, each with kid, alg and use', async () => {
    const ring = await rotatingRing(
      rotationOptions(new MemorySigningKeyStore(), randomBytes(32)),
      new FixedClock(),
    );
    expect(Object.keys(ring.jwks.keys[0] ?? {}).toSorted()).toEqual([
      'alg',
      'crv',
      'kid',
      'kty',
      'use',
      'x',
      'y',
    ]);
    expect(ring.jwks.keys[0]).toMatchObject({ alg: 'ES256', use: 'sig', kid: ring.signer?.kid });
  });

  it('keeps the stored keys of a former algorithm signing and verifying until they rotate out', async () => {
    const store = new MemorySigningKeyStore();
    const kek = randomBytes(32);
    const clock = new FixedClock();
    const before = await rotatingRing(rotationOptions(store, kek), clock);
    const options = resolveAuthOptions(rotationOptions(store, kek, { algorithm: 'EdDSA' }));
    const after = (await createKeyRing(options, clock)) as RotatingKeyRing;
    rings.push(after);
    expect(after.signer).toMatchObject({ kid: before.signer?.kid, alg: 'ES256' });
    expect(after.algorithms).toEqual(['EdDSA', 'ES256']);
    const verifier = createAccessTokenVerifier(options, after, clock);
    const context = { issuer: TEST_ISSUER, audience: [TEST_AUDIENCE], ttl: 300 };
    const old = await signAccessToken(
      after,
      { sub: 'u1', claims: { roles: [] } },
      {
        ...context,
        nowMs: clock.now(),
      },
    );
    await expect(verifier.verify(old.token)).resolves.toMatchObject({ sub: 'u1' });
    clock.advance(900);
    await after.refreshKeys();
    clock.advance(100);
    expect(after.signer?.alg).toBe('EdDSA');
    const next = await signAccessToken(
      after,
      { sub: 'u1', claims: { roles: [] } },
      {
        ...context,
        nowMs: clock.now(),
      },
    );
    await expect(verifier.verify(next.token)).resolves.toMatchObject({ sub: 'u1' });
  });

  it('refuses a stored row whose key does not fit its algorithm', async () => {
    const store = new MemorySigningKeyStore();
    const kek = randomBytes(32);
    const clock = new FixedClock();
    await rotatingRing(rotationOptions(store, kek), clock);
    const [row] = await store.list();
    const tampered = new MemorySigningKeyStore();
    await tampered.create({ ...row!, alg: 'RS256' });
    const error = (await createKeyRing(
      resolveAuthOptions(rotationOptions(tampered, kek)),
      clock,
    ).catch((thrown: unknown) => thrown)) as AuthConfigurationError;
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^rotation\.store: the stored signing key of generation 1 .* is not a usable RS256 key/,
      ),
    ]);
  });

  it('refuses to start with a wrong key-encryption key, saying which key and what to do', async () => {
    const store = new MemorySigningKeyStore();
    const clock = new FixedClock();
    await rotatingRing(rotationOptions(store, randomBytes(32)), clock);
    const error = (await createKeyRing(
      resolveAuthOptions(rotationOptions(store, randomBytes(32))),
      clock,
    ).catch((thrown: unknown) => thrown)) as AuthConfigurationError;
    expect(error).toMatchObject({ code: 'ERR_AUTH_CONFIGURATION' });
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^rotation\.encryptionKey: cannot decrypt the stored signing key of generation 1 .*encrypted with another key-encryption key.*Automatic rotation/,
      ),
    ]);
  });

  it('keeps configured keys verifying and published, but never signing', async () => {
    const store = new MemorySigningKeyStore();
    const ring = await rotatingRing(
      rotationOptions(store, randomBytes(32), { keys: [{ ...testKey('ES256'), kid: 'manual' }] }),
      new FixedClock(),
    );
    expect(ring.signer?.kid).not.toBe('manual');
    expect(ring.jwks.keys.map((jwk) => jwk.kid)).toEqual([ring.signer?.kid, 'manual']);
  });
});

function problems(options: AuthModuleOptions): readonly string[] {
  try {
    resolveAuthOptions(options);
  } catch (error) {
    return (error as AuthConfigurationError).problems;
  }
  return [];
}

describe('rotation options', () => {
  it('accepts 32 bytes as bytes, base64 or base64url, and refuses every other length in one error', () => {
    const store = new MemorySigningKeyStore();
    const kek = randomBytes(32);
    for (const encryptionKey of [kek, kek.toString('base64'), kek.toString('base64url')]) {
      expect(problems(rotationOptions(store, encryptionKey))).toEqual([]);
    }
    expect(
      problems({
        ...rotationOptions(store, randomBytes(16).toString('base64')),
        algorithm: 'HS256',
        accessTokenTtl: 900,
        rotation: {
          store,
          encryptionKey: randomBytes(16).toString('base64'),
          interval: '10m',
          publishAhead: '1m',
          checkInterval: '2m',
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^rotation\.encryptionKey: is not the base64 or base64url encoding of exactly 32 bytes/,
      ),
      expect.stringMatching(/^rotation: needs an asymmetric algorithm/),
      expect.stringMatching(
        /^rotation\.interval: is 600s; it must be longer than publishAhead \+ checkInterval \+ accessTokenTtl \+ 2 \* clockTolerance \(1090s\)/,
      ),
      expect.stringMatching(
        /^rotation\.checkInterval: is 120s; it must be shorter than publishAhead - clockTolerance \(55s\)/,
      ),
    ]);
    expect(problems(rotationOptions(store, new Uint8Array(32)))).toEqual([
      expect.stringMatching(/^rotation\.encryptionKey: holds fewer than 8 different byte values/),
    ]);
  });

  it('refuses rotation in verify-only mode', () => {
    expect(
      problems({
        ...rotationOptions(new MemorySigningKeyStore(), randomBytes(32)),
        jwks: { url: 'https://auth.example.com/.well-known/jwks.json' },
      }),
    ).toEqual([expect.stringMatching(/^rotation: cannot be combined with jwks/)]);
  });
});
