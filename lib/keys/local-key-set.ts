import { errors, type JWK } from 'jose';
import type { AccessTokenAlgorithm } from './key-ring-config.js';
import { assertNoKeyCarryingHeader } from './assert-no-key-carrying-header.js';
import type { ImportedKey, KeyMaterial } from './import-key.js';
import type { KeyRing, KeySet } from './key-ring.js';

function localResolver(keys: readonly ImportedKey[]): KeyRing['resolveKey'] {
  const byKid = new Map<string, ImportedKey>(keys.map((key) => [key.kid, key]));
  const only = keys.length === 1 ? keys[0] : undefined;
  return async (header) => {
    assertNoKeyCarryingHeader(header);
    const entry =
      header.kid === undefined
        ? only
        : typeof header.kid === 'string'
          ? byKid.get(header.kid)
          : undefined;
    // The header alg must be the key's one algorithm: never HS256 with a public key as secret.
    if (entry === undefined || header.alg !== entry.alg) {
      throw new errors.JWKSNoMatchingKey();
    }
    return entry.verifyKey;
  };
}

/** The verification side of a set of imported keys: resolver, identities, pinned algorithms, JWKS. */
export type LocalKeySet = Pick<
  KeyRing,
  'algorithms' | 'jwks' | 'resolveKey' | 'keyIdOf' | 'currentKeySet'
>;

/**
 * The key set of keys held by this process: a token's key is found only by `kid` among them,
 * and only under that key's one algorithm. The set never changes; a new set of keys builds a
 * new one.
 *
 * @example
 * const keySet = createLocalKeySet(await importKeys(options));
 */
export function createLocalKeySet(keys: readonly ImportedKey[]): LocalKeySet {
  const ids = new WeakMap<object, string>(keys.map((key) => [key.verifyKey as object, key.id]));
  const keySet: KeySet = Object.freeze({ ids: new Set(keys.map((key) => key.id)) });
  const published = keys.flatMap((key) =>
    key.publicJwk === null
      ? []
      : [Object.freeze({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' }) as JWK],
  );
  return {
    algorithms: Object.freeze([...new Set<AccessTokenAlgorithm>(keys.map((key) => key.alg))]),
    jwks: Object.freeze({ keys: Object.freeze(published) }),
    resolveKey: localResolver(keys),
    keyIdOf: (key: KeyMaterial) => ids.get(key as object),
    currentKeySet: () => keySet,
  };
}
