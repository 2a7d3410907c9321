import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  decryptPrivateKey,
  encryptPrivateKey,
} from '../../../../lib/keys/rotation/private-key-encryption.js';

describe('private-key encryption (JWE dir + A256GCM)', () => {
  it('round-trips a private JWK, and the JWE holds no private member in clear', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const kek = randomBytes(32);
    const jwe = await encryptPrivateKey(jwk, 'kid-1', kek);
    expect(jwe.split('.')).toHaveLength(5);
    expect(jwe).not.toContain(jwk.d);
    expect(JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString())).toEqual({
      alg: 'dir',
      enc: 'A256GCM',
      kid: 'kid-1',
      cty: 'jwk+json',
    });
    await expect(decryptPrivateKey(jwe, 'kid-1', kek)).resolves.toEqual(jwk);
  });

  it('fails with another key-encryption key, an altered JWE or another kid', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kek = randomBytes(32);
    const jwe = await encryptPrivateKey(await exportJWK(privateKey), 'kid-1', kek);
    await expect(decryptPrivateKey(jwe, 'kid-1', randomBytes(32))).rejects.toMatchObject({
      code: 'ERR_JWE_DECRYPTION_FAILED',
    });
    const parts = jwe.split('.');
    const tampered = [
      ...parts.slice(0, 3),
      parts[3]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      parts[4],
    ].join('.');
    await expect(decryptPrivateKey(tampered, 'kid-1', kek)).rejects.toMatchObject({
      code: 'ERR_JWE_DECRYPTION_FAILED',
    });
    await expect(decryptPrivateKey(jwe, 'kid-2', kek)).rejects.toThrow(/kid/);
  });
});
