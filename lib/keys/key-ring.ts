import type { JWK } from 'jose';
import type { AccessTokenAlgorithm, KeyRingConfig } from './key-ring-config.js';
import type { FlattenedJWSInput, JWSHeaderParameters } from 'jose';
import { systemClock, type Clock } from '../clock.js';
import { importKeys, type KeyMaterial } from './import-key.js';
import { createLocalKeySet } from './local-key-set.js';
import { createRemoteKeySet } from './remote-key-set.js';
import { createRotatingKeyRing } from './rotation/rotating-key-ring.js';

export type { KeyMaterial } from './import-key.js';

/** The key new access tokens are signed with (`keys[0]`). */
export interface AccessTokenSigner {
  readonly kid: string;
  readonly alg: AccessTokenAlgorithm;
  /** Private key (extractable when imported from PEM or JWK), or the HS256 secret as an extractable HMAC key. */
  readonly key: KeyMaterial;
}

/**
 * Every key of the module, imported once at start-up: the signer, the pinned algorithms, the
 * public JWKS and the key resolver handed to jose on each verification.
 */
export interface KeyRing {
  /**
   * `null` in verify-only mode (remote JWKS, or `keys[0]` without private material). With
   * automatic rotation it changes on the schedule: read it at each use, never keep it.
   */
  readonly signer: AccessTokenSigner | null;
  /** The only algorithms a token may use; one per key. */
  readonly algorithms: readonly AccessTokenAlgorithm[];
  /** The public keys to publish: `kid`, `alg`, `use: 'sig'` and public members only; never HS256. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /**
   * Finds the verification key of a token: only by `kid` in the configured set, and only when
   * the header `alg` is that key's algorithm. Throws when there is no such key.
   */
  readonly resolveKey: (
    header: JWSHeaderParameters,
    input: FlattenedJWSInput,
  ) => Promise<KeyMaterial>;
  /**
   * The identity of a key `resolveKey` returned (its `kid` and public members or thumbprint),
   * or `undefined` for a key this ring did not hand out. A cached verification remembers it.
   */
  readonly keyIdOf: (key: KeyMaterial) => string | undefined;
  /**
   * The key set as it is now. The object is replaced whenever the set changes (a remote JWKS
   * reloaded), so callers compare it by reference and look ids up only after a change. Cheap
   * enough for every request: with a remote JWKS past its `cacheMaxAge` it also starts a
   * background reload, so that a key the issuer withdrew is noticed without waiting for a
   * token that misses the cache.
   */
  readonly currentKeySet: () => KeySet;
}

/** The identities of the keys a {@link KeyRing} verifies with at one moment. */
export interface KeySet {
  readonly ids: ReadonlySet<string>;
}

/**
 * Every key of the module, imported once at start-up, and composed as jose splits them: the
 * local key set (and the signer, `keys[0]`) or the remote JWKS.
 *
 * With `rotation`, the signer and the verification set come from the signing-key store
 * instead (see `createRotatingKeyRing`), and the configured keys only verify.
 *
 * @param options - resolved module options
 * @param clock - the module's clock, which drives the rotation schedule
 * @returns the key ring, frozen
 * @throws {AuthConfigurationError} listing every key that cannot be imported, by index
 * @example
 * const keyRing = await createKeyRing(resolveAuthOptions(options));
 * keyRing.jwks; // serve at /.well-known/jwks.json
 */
export async function createKeyRing(
  options: KeyRingConfig,
  clock: Clock = systemClock,
  warn: (message: string) => void = () => undefined,
): Promise<KeyRing> {
  if (options.jwks !== null) {
    const algorithms = Object.freeze([options.algorithm]);
    return Object.freeze({
      signer: null,
      algorithms,
      jwks: Object.freeze({ keys: Object.freeze([]) }),
      ...createRemoteKeySet(options.jwks, algorithms),
    });
  }
  const keys = await importKeys(options);
  if (options.rotation != null) {
    return createRotatingKeyRing(options, options.rotation, clock, keys, warn);
  }
  const first = keys[0];
  const signer: AccessTokenSigner | null =
    first?.signKey != null
      ? Object.freeze({ kid: first.kid, alg: first.alg, key: first.signKey })
      : null;
  return Object.freeze({ signer, ...createLocalKeySet(keys) });
}
