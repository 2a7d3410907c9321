import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createKeyRing } from '../../../lib/keys/key-ring.js';
import { signAccessToken } from '../../../lib/access-token/sign-access-token.js';
import { AccessTokenInvalidError } from '../../../lib/auth.errors.js';
import { resolveAuthOptions } from '../../../lib/options/resolve-auth-options.js';
import {
  ALL_ALGORITHMS,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testAuthOptions,
  testKey,
  testKeyPair,
} from '../../support/keys.js';
import { createKit } from './access-token-kit.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('signAccessToken + verifier round trip', () => {
  it.each(ALL_ALGORITHMS)('signs and verifies an %s token', async (alg) => {
    const kit = await createKit(alg);
    const signed = await kit.sign({
      sid: 'session-1',
      authTime: kit.now() - 10,
      claims: { roles: ['admin'], tenant: 't1' },
    });

    expect(decodeProtectedHeader(signed.token)).toEqual({
      alg,
      kid: kit.keyRing.signer?.kid,
      typ: 'at+jwt',
    });
    const claims = await kit.verifier.verify(signed.token);
    expect(claims).toEqual({
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      sub: 'user-1',
      iat: kit.now(),
      exp: kit.now() + 900,
      jti: signed.jti,
      sid: 'session-1',
      auth_time: kit.now() - 10,
      roles: ['admin'],
      tenant: 't1',
    });
    expect(signed).toMatchObject({ issuedAt: kit.now(), expiresAt: kit.now() + 900 });
    expect(signed.jti).toMatch(UUID);
  });

  it('gives every token its own jti', async () => {
    const kit = await createKit('ES256');
    const [a, b] = await Promise.all([kit.sign(), kit.sign()]);
    expect(a.jti).not.toBe(b.jti);
  });

  it('writes only the first configured audience, as a string; verification accepts any listed one', async () => {
    const kit = await createKit('ES256', { audience: ['api', 'admin-api'] });
    const { token } = await kit.sign();
    expect(decodeJwt(token).aud).toBe('api');
    expect((await kit.verifier.verify(token)).aud).toBe('api');
    // A service that lists this API second still accepts the token; one that does not, refuses.
    const other = await createKit('ES256', { audience: ['admin-api', 'api'] });
    expect((await other.verifier.verify(token)).aud).toBe('api');
    const unrelated = await createKit('ES256', { audience: 'admin-api' });
    await expect(unrelated.verifier.verify(token)).rejects.toBeInstanceOf(AccessTokenInvalidError);
  });

  it('always writes roles as an array, empty when the claims have none', async () => {
    const kit = await createKit('ES256');
    const claims = await kit.verifier.verify((await kit.sign({ claims: {} })).token);
    expect(claims.roles).toEqual([]);
  });

  it.each(['iss', 'aud', 'sub', 'iat', 'exp', 'nbf', 'jti', 'sid', 'auth_time'])(
    'refuses a custom claim overriding the registered claim %s',
    async (claim) => {
      const kit = await createKit('ES256');
      await expect(kit.sign({ claims: { [claim]: 'x' } })).rejects.toThrow(TypeError);
    },
  );

  it('refuses roles that are not an array of strings, and an empty sub', async () => {
    const kit = await createKit('ES256');
    await expect(kit.sign({ claims: { roles: 'admin' as never } })).rejects.toThrow(TypeError);
    await expect(kit.sign({ claims: { roles: [1] as never } })).rejects.toThrow(TypeError);
    await expect(kit.sign({ sub: '' })).rejects.toThrow(TypeError);
  });

  it('throws SigningNotConfiguredError without a signing key', async () => {
    const options = resolveAuthOptions(
      testAuthOptions('ES256', { keys: [{ publicKey: testKeyPair('ES256').publicPem }] }),
    );
    const keyRing = await createKeyRing(options);
    expect(keyRing.signer).toBeNull();
    await expect(
      signAccessToken(
        keyRing,
        { sub: '1', claims: {} },
        { issuer: TEST_ISSUER, audience: [TEST_AUDIENCE], ttl: 900, nowMs: 0 },
      ),
    ).rejects.toMatchObject({ code: 'ERR_AUTH_SIGNING_NOT_CONFIGURED' });
  });

  it('keeps verifying tokens of a rotated-out key while it stays in keys', async () => {
    const old = await createKit('ES256');
    const { token } = await old.sign();
    const rotated = await createKit('ES256', {
      keys: [testKey('ES256', 'next'), { publicKey: testKeyPair('ES256').publicPem }],
    });
    expect(rotated.keyRing.signer?.kid).not.toBe(old.keyRing.signer?.kid);
    await expect(rotated.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    const { token: fresh } = await rotated.sign();
    await expect(old.verifier.verify(fresh)).rejects.toMatchObject({
      code: 'ERR_AUTH_ACCESS_TOKEN_INVALID',
    });
  });
});
