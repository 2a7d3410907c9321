import { exportPKCS8, generateKeyPair } from 'jose';
import type { AccessTokenAlgorithm } from '../options/auth-module-options.js';

/** A fresh signing key for `keys: [{ privateKey }]`, with the algorithm it is for. */
export interface GeneratedSigningKey {
  readonly algorithm: Exclude<AccessTokenAlgorithm, 'HS256'>;
  /** PKCS#8 PEM. */
  readonly privateKey: string;
}

/**
 * Generates a throwaway asymmetric signing key, so a test app signs and verifies real tokens
 * without a key file. Never use it outside tests: it lives only as long as the process.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey();
 * AuthModule.forRoot({ issuer, audience, algorithm: key.algorithm, keys: [{ privateKey: key.privateKey }] });
 * ```
 */
export async function generateSigningKey(
  algorithm: GeneratedSigningKey['algorithm'] = 'ES256',
): Promise<GeneratedSigningKey> {
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true });
  return { algorithm, privateKey: await exportPKCS8(privateKey) };
}
