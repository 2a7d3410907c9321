import { compactDecrypt, CompactEncrypt, type JWK } from 'jose';

/** Byte length of the key-encryption key: A256GCM with `alg: 'dir'` (RFC 7518 section 5.3). */
export const KEY_ENCRYPTION_KEY_BYTES = 32;

/**
 * Encrypts a private JWK at rest as a compact JWE (RFC 7516) with the key-encryption key used
 * directly as the A256GCM content key. The kid is in the protected header, so it is
 * authenticated with the ciphertext.
 */
export async function encryptPrivateKey(
  privateJwk: JWK,
  kid: string,
  encryptionKey: Uint8Array,
): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(privateJwk)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid, cty: 'jwk+json' })
    .encrypt(encryptionKey);
}

/**
 * Decrypts a private JWK written by {@link encryptPrivateKey}.
 *
 * @throws when the key-encryption key is not the one it was encrypted with (jose
 *   `JWEDecryptionFailed`), or the JWE was altered, or it names another kid
 */
export async function decryptPrivateKey(
  jwe: string,
  kid: string,
  encryptionKey: Uint8Array,
): Promise<JWK> {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, encryptionKey, {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  if (protectedHeader.kid !== kid) {
    throw new Error(`the encrypted key names kid '${String(protectedHeader.kid)}', not '${kid}'`);
  }
  return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
}
