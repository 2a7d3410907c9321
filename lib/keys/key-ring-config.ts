import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningKeyStore } from './rotation/signing-key.store.js';

/** Signature algorithms an access token may be signed with. One key, one algorithm. */
export type AccessTokenAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256' | 'HS256';

/** One key as the key ring imports it (the module's `keys` entries, validated). */
export interface KeyRingKey {
  readonly kid?: string;
  /** Falls back to {@link KeyRingConfig.algorithm}. */
  readonly algorithm?: AccessTokenAlgorithm;
  readonly privateKey?: string | JWK | KeyObject;
  readonly publicKey?: string | JWK | KeyObject;
  readonly secret?: string | Uint8Array;
}

/** A remote JWKS (jose's remote key set); durations in seconds. */
export interface RemoteKeySetConfig {
  readonly url: URL;
  readonly cacheMaxAge: number;
  readonly cooldownDuration: number;
  readonly timeoutDuration: number;
}

/** What the key ring is built from; built by the module from its resolved options. */
export interface KeyRingConfig {
  /** Default algorithm of the keys. */
  readonly algorithm: AccessTokenAlgorithm;
  /** The local keys; `keys[0]` signs. Ignored when `jwks` is set. */
  readonly keys: readonly KeyRingKey[];
  /** Verify-only with a remote key set, or `null`. */
  readonly jwks: RemoteKeySetConfig | null;
  /** Access-token lifetime, in seconds: how long a retired key must keep verifying. */
  readonly accessTokenTtl: number;
  /** Clock tolerance, in seconds. */
  readonly clockTolerance: number;
  /** Automatic rotation of the signing key, or `null`. */
  readonly rotation?: KeyRotationConfig | null;
}

/** Automatic rotation, fully defaulted; durations in seconds, the key-encryption key as bytes. */
export interface KeyRotationConfig {
  readonly store: SigningKeyStore;
  readonly encryptionKey: Uint8Array;
  readonly interval: number;
  readonly publishAhead: number;
  readonly checkInterval: number;
}
