import { generateKeyPairSync, createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveRefreshSecret,
  deriveRefreshToken,
  hashRefreshToken,
  isWellFormedRefreshToken,
  mintRefreshToken,
} from '../../../lib/refresh-token/refresh-token-secret.js';

const secret = new Uint8Array(32).fill(1);

describe('refresh token format', () => {
  it('is 86 base64url characters carrying a 32-byte nonce and its HMAC', () => {
    const { token, nonce, hash } = mintRefreshToken(secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(Buffer.from(token, 'base64url').subarray(0, 32).toString('base64url')).toBe(nonce);
    expect(hash).toBe(hashRefreshToken(token));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never repeats across 1000 tokens', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => mintRefreshToken(secret).token));
    expect(tokens.size).toBe(1000);
  });

  it('is re-derivable from the nonce with the secret only', () => {
    const { token, nonce } = mintRefreshToken(secret);
    expect(deriveRefreshToken(secret, nonce)).toBe(token);
    expect(deriveRefreshToken(new Uint8Array(32).fill(2), nonce)).not.toBe(token);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => mintRefreshToken(new Uint8Array(31))).toThrow(TypeError);
  });

  it('recognises only the exact shape as well formed', () => {
    const { token, hash } = mintRefreshToken(secret);
    expect(isWellFormedRefreshToken(token)).toBe(true);
    for (const bad of [
      '',
      token.slice(1),
      `${token}A`,
      `${token.slice(1)}=`,
      `${token.slice(1)}+`,
      `${token.slice(1)}\n`,
      hash,
      'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
      123,
      null,
      { $ne: null },
    ]) {
      expect(isWellFormedRefreshToken(bad)).toBe(false);
    }
  });
});

describe('deriveRefreshSecret', () => {
  it('derives 32 stable bytes that differ per key', () => {
    const a = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(deriveRefreshSecret(a)).toHaveLength(32);
    expect(deriveRefreshSecret(a)).toEqual(deriveRefreshSecret(a));
    expect(deriveRefreshSecret(a)).not.toEqual(deriveRefreshSecret(b));
    const pem = a.export({ type: 'pkcs8', format: 'pem' });
    expect(deriveRefreshSecret(pem)).toHaveLength(32);
  });

  it('accepts a secret key and refuses a public key or short material', () => {
    expect(deriveRefreshSecret(createSecretKey(new Uint8Array(32).fill(9)))).toEqual(
      deriveRefreshSecret(new Uint8Array(32).fill(9)),
    );
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => deriveRefreshSecret(publicKey)).toThrow(TypeError);
    expect(() => deriveRefreshSecret(new Uint8Array(16))).toThrow(TypeError);
  });
});
