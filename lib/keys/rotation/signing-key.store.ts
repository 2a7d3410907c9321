import type { AccessTokenAlgorithm } from '../key-ring-config.js';

/**
 * One generated signing key as the store keeps it. Its state (published, signing, retired,
 * removed) is not stored: every instance derives it from `activatesAt` of this row and the next
 * one, and its own clock, so instances agree without a leader.
 */
export interface SigningKeyRecord {
  /** 1, 2, 3, ...: the key for generation N is created once (the store refuses a second). */
  readonly generation: number;
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: AccessTokenAlgorithm;
  /** The public JWK (public members only), as JSON. */
  readonly publicJwk: string;
  /** The private JWK as a compact JWE (`dir`, `A256GCM`) under the key-encryption key. */
  readonly encryptedPrivateKey: string;
  /** Epoch ms when the row was written: the key is published from then. */
  readonly createdAt: number;
  /** Epoch ms from which the key signs; the previous generation retires at that moment. */
  readonly activatesAt: number;
}

/**
 * Where generated signing keys are kept, shared by every instance of the issuer:
 * `TypeOrmSigningKeyStore` from `nest-hybrid-auth/typeorm`, `MemorySigningKeyStore` for tests,
 * or your own implementation.
 */
export abstract class SigningKeyStore {
  /** Every stored key, by ascending generation. */
  abstract list(): Promise<readonly SigningKeyRecord[]>;
  /**
   * Stores the key of `record.generation` unless that generation exists already, atomically
   * (a unique constraint, not a read then a write), and returns the row that is stored for it:
   * `record` if this call won, the other instance's row if it lost.
   */
  abstract create(record: SigningKeyRecord): Promise<SigningKeyRecord>;
  /** Deletes the keys of these generations (removed keys); missing ones are ignored. */
  abstract delete(generations: readonly number[]): Promise<void>;
}
