import { createRemoteJWKSet, errors, jwksCache, type JWK } from 'jose';
import type { AccessTokenAlgorithm, RemoteKeySetConfig } from './key-ring-config.js';
import { assertNoKeyCarryingHeader } from './assert-no-key-carrying-header.js';
import { fits, PUBLIC_MEMBERS } from './import-key.js';
import type { KeyRing, KeySet } from './key-ring.js';

// Identity of a remote JWK: its kid and public members, so that a key re-published under the
// same kid with other material is a different key.
function remoteKeyId(jwk: JWK): string {
  return `${String(jwk.kid)}#${PUBLIC_MEMBERS.map((member) => jwk[member] ?? '').join('.')}`;
}

// A JWK without "alg" is usable when its type and curve fit the pinned algorithm (some
// identity providers omit "alg", RFC 7517 section 4.4 makes it optional); one that declares
// an algorithm must declare the pinned one (RFC 8725 section 3.1).
function usableFor(jwk: JWK, alg: AccessTokenAlgorithm): boolean {
  if (alg === 'HS256') return false;
  return jwk.alg === undefined ? fits(jwk, alg) : jwk.alg === alg && fits(jwk, alg);
}

const KEY_TYPE: Record<AccessTokenAlgorithm, string> = {
  ES256: 'EC',
  ES384: 'EC',
  EdDSA: 'OKP',
  RS256: 'RSA',
  PS256: 'RSA',
  HS256: 'oct',
};

interface JwksCacheEntry {
  uat?: number;
  jwks?: { keys: JWK[] };
}

/**
 * The key set of a remote JWKS (jose `createRemoteJWKSet`), with the algorithm pinned and the
 * change signal the verified-token cache uses to drop verifications by a withdrawn key.
 *
 * @example
 * const keySet = createRemoteKeySet(options.jwks, [options.algorithm]);
 */
export function createRemoteKeySet(
  jwks: RemoteKeySetConfig,
  algorithms: readonly AccessTokenAlgorithm[],
): Pick<KeyRing, 'resolveKey' | 'keyIdOf' | 'currentKeySet'> {
  // jose writes every JWKS it applies into this object (`uat` changes on each reload): the
  // cheap signal that the key set changed, without `jwks()`, which clones the set per call.
  const applied: JwksCacheEntry = {};
  const remote = createRemoteJWKSet(jwks.url, {
    cacheMaxAge: jwks.cacheMaxAge * 1000,
    cooldownDuration: jwks.cooldownDuration * 1000,
    timeoutDuration: Math.max(1, Math.round(jwks.timeoutDuration * 1000)),
    [jwksCache]: applied as never,
  });
  const ids = new WeakMap<object, string>();
  let keySet: KeySet = Object.freeze({ ids: new Set<string>() });
  let keySetUat: number | undefined;

  const currentKeySet = (): KeySet => {
    if (applied.uat !== keySetUat) {
      keySetUat = applied.uat;
      keySet = Object.freeze({ ids: new Set((applied.jwks?.keys ?? []).map(remoteKeyId)) });
    }
    if (keySetUat !== undefined && !remote.fresh && !remote.reloading) {
      // A failed reload keeps the last set (jose keeps it too); the next stale hit retries.
      remote.reload().catch(() => undefined);
    }
    return keySet;
  };

  const resolveKey: KeyRing['resolveKey'] = async (header, input) => {
    assertNoKeyCarryingHeader(header);
    if (!(algorithms as readonly unknown[]).includes(header.alg)) {
      throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    }
    const key = await remote(header, input);
    // jose lets a JWK without "alg" serve any algorithm of its key type; the one candidate
    // must fit the pinned algorithm, so the pinned algorithm is the key's own.
    // Every key jose could have picked (same kid; same alg or, without alg, same key type)
    // must fit the pinned algorithm.
    const alg = header.alg as AccessTokenAlgorithm;
    const candidates = (applied.jwks?.keys ?? []).filter(
      (jwk) =>
        (header.kid === undefined || jwk.kid === header.kid) &&
        (jwk.alg === undefined ? jwk.kty === KEY_TYPE[alg] : jwk.alg === alg),
    );
    if (candidates.length === 0 || !candidates.every((jwk) => usableFor(jwk, alg))) {
      throw new errors.JWKSNoMatchingKey();
    }
    // With several candidates (a token without kid) the key jose chose is not known: it is
    // verified but not given an identity, so it is not cached.
    if (candidates.length === 1) ids.set(key, remoteKeyId(candidates[0]!));
    return key;
  };

  return {
    resolveKey,
    keyIdOf: (key) => ids.get(key as object),
    currentKeySet,
  };
}
