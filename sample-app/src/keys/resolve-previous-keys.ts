import {
  calculateJwkThumbprint,
  exportJWK,
  importJWK,
  importPKCS8,
  importSPKI,
  type CryptoKey,
  type JWK,
} from 'jose';
import { SampleConfigError, type SampleAlgorithm, type SampleConfig } from '../sample-config.js';

/** A verify-only key from `AUTH_PREVIOUS_PUBLIC_KEYS`, ready for `AuthModule`'s `keys`. */
export interface SamplePreviousKey {
  /** The JWK's own `kid`, else its RFC 7638 thumbprint (as the module names the signing key). */
  readonly kid: string;
  readonly algorithm: SampleAlgorithm;
  /** Public members only. */
  readonly publicKey: JWK;
}

const VARIABLE = 'AUTH_PREVIOUS_PUBLIC_KEYS';
const ALGORITHMS: readonly SampleAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

function publicMembers(jwk: JWK): JWK {
  const out: JWK = {};
  for (const member of PUBLIC_MEMBERS) {
    if (typeof jwk[member] === 'string') out[member] = jwk[member];
  }
  return out;
}

/**
 * The algorithm a previous key verifies with: its JWK `alg` when it has one, else the one its
 * key type allows. RSA serves RS256 and PS256 alike; it takes `AUTH_ALG` when that is one of
 * them, else RS256 (give the JWK an `alg` to say otherwise).
 */
function candidates(current: SampleAlgorithm, declared: unknown): SampleAlgorithm[] {
  if (declared !== undefined) {
    const alg = ALGORITHMS.find((candidate) => candidate === declared);
    return alg === undefined ? [] : [alg];
  }
  const rsa: SampleAlgorithm = current === 'PS256' ? 'PS256' : 'RS256';
  return [...new Set([current, ...ALGORITHMS.filter((alg) => alg !== 'PS256'), rsa])];
}

/** jose refuses a key whose type does not fit the algorithm; the first that fits is the key's. */
async function importFirstFitting(
  algorithms: readonly SampleAlgorithm[],
  load: (alg: SampleAlgorithm) => Promise<CryptoKey | Uint8Array>,
): Promise<{ algorithm: SampleAlgorithm; jwk: JWK } | null> {
  for (const algorithm of algorithms) {
    try {
      const key = await load(algorithm);
      if (key instanceof Uint8Array) return null;
      return { algorithm, jwk: publicMembers(await exportJWK(key)) };
    } catch {
      // Not this algorithm; try the next one.
    }
  }
  return null;
}

async function signingKid(config: SampleConfig, privateKey: string | JWK): Promise<string> {
  const key =
    typeof privateKey === 'string'
      ? await importPKCS8(privateKey, config.auth.algorithm, { extractable: true })
      : await importJWK(privateKey, config.auth.algorithm, { extractable: true });
  if (key instanceof Uint8Array) return '';
  return calculateJwkThumbprint(publicMembers(await exportJWK(key)));
}

/**
 * Imports the keys of `AUTH_PREVIOUS_PUBLIC_KEYS` with jose and names each one. A key equal to
 * the signing key is dropped (listing the current key as previous is harmless).
 *
 * @param privateKey the signing key, to recognise it among the previous ones
 * @throws {SampleConfigError} naming the variable when a key cannot be imported
 * @example const previous = await resolvePreviousKeys(config, signingKey.privateKey);
 */
export async function resolvePreviousKeys(
  config: SampleConfig,
  privateKey: string | JWK,
): Promise<SamplePreviousKey[]> {
  if (config.auth.previousPublicKeys.length === 0) {
    return [];
  }
  const current = config.auth.algorithm;
  const problems: string[] = [];
  const keys: SamplePreviousKey[] = [];
  const ownKid = await signingKid(config, privateKey).catch(() => '');
  for (const [index, material] of config.auth.previousPublicKeys.entries()) {
    const label = typeof material === 'string' ? `PEM ${index + 1}` : `keys[${index}]`;
    const imported =
      typeof material === 'string'
        ? await importFirstFitting(candidates(current, undefined), (alg) =>
            importSPKI(material, alg, { extractable: true }),
          )
        : await importFirstFitting(candidates(current, material.alg), (alg) =>
            importJWK(publicMembers(material), alg, { extractable: true }),
          );
    if (imported === null) {
      problems.push(
        `${VARIABLE}: ${label} is not a usable public key for ${typeof material === 'string' || material.alg === undefined ? ALGORITHMS.join(', ') : String(material.alg)}`,
      );
      continue;
    }
    const thumbprint = await calculateJwkThumbprint(imported.jwk);
    const kid =
      typeof material !== 'string' && typeof material.kid === 'string' ? material.kid : thumbprint;
    if (thumbprint === ownKid || kid === ownKid) {
      continue;
    }
    if (keys.some((key) => key.kid === kid)) {
      problems.push(`${VARIABLE}: ${label} has the kid '${kid}' of an earlier key; list it once`);
      continue;
    }
    keys.push({ kid, algorithm: imported.algorithm, publicKey: imported.jwk });
  }
  if (problems.length > 0) {
    throw new SampleConfigError(problems);
  }
  return keys;
}
