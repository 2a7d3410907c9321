import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { AccessTokenAlgorithm } from '../key-ring-config.js';
import { publicMembers } from '../import-key.js';
import { encryptPrivateKey } from './private-key-encryption.js';
import type { SigningKeyRecord } from './signing-key.store.js';

/**
 * Generates the key of one generation with jose (RSA keys of 2048 bits, jose's default) and
 * encrypts its private half for the store.
 */
export async function generateSigningKey(
  alg: Exclude<AccessTokenAlgorithm, 'HS256'>,
  slot: { readonly generation: number; readonly activatesAt: number },
  encryptionKey: Uint8Array,
  now: number,
): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = publicMembers(await exportJWK(publicKey));
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    generation: slot.generation,
    kid,
    alg,
    publicJwk: JSON.stringify(publicJwk),
    encryptedPrivateKey: await encryptPrivateKey(await exportJWK(privateKey), kid, encryptionKey),
    createdAt: now,
    activatesAt: slot.activatesAt,
  };
}
