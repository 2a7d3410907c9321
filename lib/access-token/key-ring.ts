import { KeyObject } from 'node:crypto';
import {
  base64url,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  errors,
  exportJWK,
  jwksCache,
  importJWK,
  importPKCS8,
  importSPKI,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWK,
  type JWSHeaderParameters,
} from 'jose';
import { AuthConfigurationError } from '../auth.errors.js';
import type {
  AccessTokenAlgorithm,
  KeyRingConfig,
  KeyRingKey,
  RemoteKeySetConfig,
} from './key-ring-config.js';

/** Key material jose signs or verifies with. */
export type KeyMaterial = CryptoKey | KeyObject | Uint8Array;

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
  /** `null` in verify-only mode (remote JWKS, or `keys[0]` without private material). */
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

interface ImportedKey {
  readonly kid: string;
  /** `kid#thumbprint`: a key re-imported with the same material keeps its identity. */
  readonly id: string;
  readonly alg: AccessTokenAlgorithm;
  readonly verifyKey: KeyMaterial;
  readonly signKey: KeyMaterial | null;
  /** `null` for HS256: a shared secret is never published. */
  readonly publicJwk: JWK | null;
}

// An allowlist rather than a denylist of private members (d, p, q, dp, dq, qi, oth, k):
// whatever else a JWK carries can never reach the JWKS.
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

const MIN_RSA_BITS = 2048;

const EXPECTED_KEY: Record<Exclude<AccessTokenAlgorithm, 'HS256'>, string> = {
  ES256: 'an EC P-256 key',
  ES384: 'an EC P-384 key',
  EdDSA: 'an Ed25519 key',
  RS256: `an RSA key of at least ${MIN_RSA_BITS} bits`,
  PS256: `an RSA key of at least ${MIN_RSA_BITS} bits`,
};

function publicMembers(jwk: JWK): JWK {
  const out: JWK = {};
  for (const member of PUBLIC_MEMBERS) {
    if (jwk[member] !== undefined) out[member] = jwk[member] as never;
  }
  return out;
}

function rsaBits(modulus: string): number {
  const bytes = base64url.decode(modulus);
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start += 1;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start] ?? 0));
}

function fits(jwk: JWK, alg: Exclude<AccessTokenAlgorithm, 'HS256'>): boolean {
  switch (alg) {
    case 'ES256':
      return jwk.kty === 'EC' && jwk.crv === 'P-256';
    case 'ES384':
      return jwk.kty === 'EC' && jwk.crv === 'P-384';
    case 'EdDSA':
      return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
    case 'RS256':
    case 'PS256':
      return jwk.kty === 'RSA' && typeof jwk.n === 'string' && rsaBits(jwk.n) >= MIN_RSA_BITS;
  }
}

class KeyProblem extends Error {}

function describe(jwk: JWK): string {
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string') return `an RSA key of ${rsaBits(jwk.n)} bits`;
  if (jwk.crv !== undefined) return `a ${jwk.kty ?? '?'} ${jwk.crv} key`;
  return `a ${jwk.kty ?? 'typeless'} key`;
}

function assertFits(
  jwk: JWK,
  alg: Exclude<AccessTokenAlgorithm, 'HS256'>,
  declaredAlg?: unknown,
): void {
  if (declaredAlg !== undefined && declaredAlg !== alg) {
    throw new KeyProblem(`the JWK declares alg '${String(declaredAlg)}', not ${alg}`);
  }
  if (!fits(jwk, alg)) {
    throw new KeyProblem(`it is ${describe(jwk)}; ${alg} needs ${EXPECTED_KEY[alg]}`);
  }
}

function reason(cause: unknown): string {
  return cause instanceof Error && cause.message !== ''
    ? cause.message
    : 'it could not be imported';
}

async function importPrivateKey(
  material: NonNullable<KeyRingKey['privateKey']>,
  alg: Exclude<AccessTokenAlgorithm, 'HS256'>,
): Promise<{ key: KeyMaterial; publicJwk: JWK }> {
  if (typeof material === 'string') {
    // Extractable so the public JWK can be derived, and a refresh-token secret with it.
    const key = await importPKCS8(material, alg, { extractable: true });
    const publicJwk = publicMembers(await exportJWK(key));
    assertFits(publicJwk, alg);
    return { key, publicJwk };
  }
  if (material instanceof KeyObject) {
    if (material.type !== 'private') {
      throw new KeyProblem(
        `it is a ${material.type} KeyObject; pass it as publicKey, or pass the private key`,
      );
    }
    const publicJwk = publicMembers(material.export({ format: 'jwk' }) as JWK);
    assertFits(publicJwk, alg);
    return { key: material, publicJwk };
  }
  if (typeof material.d !== 'string') {
    throw new KeyProblem(
      'the JWK has no private member "d"; pass it as publicKey, or pass the private JWK',
    );
  }
  const publicJwk = publicMembers(material);
  assertFits(publicJwk, alg, material.alg);
  const key = await importJWK(material, alg, { extractable: true });
  if (key instanceof Uint8Array) throw new KeyProblem('it is a symmetric (oct) key');
  return { key, publicJwk };
}

async function importPublicKey(
  material: NonNullable<KeyRingKey['publicKey']>,
  alg: Exclude<AccessTokenAlgorithm, 'HS256'>,
): Promise<{ key: KeyMaterial; publicJwk: JWK }> {
  if (typeof material === 'string') {
    const key = await importSPKI(material, alg, { extractable: true });
    const publicJwk = publicMembers(await exportJWK(key));
    assertFits(publicJwk, alg);
    return { key, publicJwk };
  }
  if (material instanceof KeyObject) {
    if (material.type !== 'public') {
      throw new KeyProblem(
        `it is a ${material.type} KeyObject; pass a public key (or this one as privateKey)`,
      );
    }
    const publicJwk = publicMembers(material.export({ format: 'jwk' }) as JWK);
    assertFits(publicJwk, alg);
    return { key: material, publicJwk };
  }
  const publicJwk = publicMembers(material);
  assertFits(publicJwk, alg, material.alg);
  return { key: await importPublicJwk(publicJwk, alg), publicJwk };
}

async function importPublicJwk(jwk: JWK, alg: AccessTokenAlgorithm): Promise<KeyMaterial> {
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new KeyProblem('it is a symmetric (oct) key');
  return key;
}

async function importAsymmetric(
  key: KeyRingKey,
  alg: Exclude<AccessTokenAlgorithm, 'HS256'>,
  path: string,
  problems: string[],
): Promise<Omit<ImportedKey, 'kid' | 'id'> | null> {
  const fix = (member: 'privateKey' | 'publicKey', cause: unknown): string =>
    `${path}.${member}: is not a usable ${alg} ${member === 'privateKey' ? 'private' : 'public'} key (${reason(cause)}); ` +
    `pass ${EXPECTED_KEY[alg]} as ${member === 'privateKey' ? "PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----'), a private JWK or a private KeyObject" : "SPKI PEM ('-----BEGIN PUBLIC KEY-----'), a public JWK or a public KeyObject"}, or set the key's algorithm`;

  let signing: { key: KeyMaterial; publicJwk: JWK } | null = null;
  let verifying: { key: KeyMaterial; publicJwk: JWK } | null = null;
  if (key.privateKey !== undefined) {
    try {
      signing = await importPrivateKey(key.privateKey, alg);
    } catch (cause) {
      problems.push(fix('privateKey', cause));
    }
  }
  if (key.publicKey !== undefined) {
    try {
      verifying = await importPublicKey(key.publicKey, alg);
    } catch (cause) {
      problems.push(fix('publicKey', cause));
    }
  }
  if (signing !== null && verifying !== null) {
    const [fromPrivate, fromPublic] = await Promise.all([
      calculateJwkThumbprint(signing.publicJwk),
      calculateJwkThumbprint(verifying.publicJwk),
    ]);
    if (fromPrivate !== fromPublic) {
      problems.push(
        `${path}.publicKey: does not belong to privateKey; pass the matching public key, or leave it out to derive it`,
      );
      return null;
    }
  }
  // Either failure was reported above; a half-imported key is never used.
  const imported = verifying ?? signing;
  if (
    imported === null ||
    (key.privateKey !== undefined && signing === null) ||
    (key.publicKey !== undefined && verifying === null)
  ) {
    return null;
  }
  return {
    alg,
    signKey: signing?.key ?? null,
    verifyKey: verifying?.key ?? (await importPublicJwk(imported.publicJwk, alg)),
    publicJwk: imported.publicJwk,
  };
}

async function importKey(
  key: KeyRingKey,
  index: number,
  fallback: AccessTokenAlgorithm,
  problems: string[],
): Promise<ImportedKey | null> {
  const alg = key.algorithm ?? fallback;
  const path = `keys[${index}]`;
  if (alg === 'HS256') {
    if (key.secret === undefined) {
      problems.push(`${path}.secret: is required for HS256`);
      return null;
    }
    const secret =
      typeof key.secret === 'string'
        ? new TextEncoder().encode(key.secret)
        : new Uint8Array(key.secret);
    const kid =
      key.kid ?? (await calculateJwkThumbprint({ kty: 'oct', k: base64url.encode(secret) }));
    // Imported once as an HMAC CryptoKey: handed raw bytes, jose would re-import them with
    // `crypto.subtle.importKey` on every signature and every verification.
    const hmacKey = await crypto.subtle.importKey(
      'raw',
      secret,
      { name: 'HMAC', hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    const thumbprint = await calculateJwkThumbprint({ kty: 'oct', k: base64url.encode(secret) });
    return {
      kid,
      id: `${kid}#${thumbprint}`,
      alg,
      verifyKey: hmacKey,
      signKey: hmacKey,
      publicJwk: null,
    };
  }
  const imported = await importAsymmetric(key, alg, path, problems);
  if (imported === null) return null;
  const thumbprint = await calculateJwkThumbprint(imported.publicJwk as JWK);
  const kid = key.kid ?? thumbprint;
  return { kid, id: `${kid}#${thumbprint}`, ...imported };
}

// RFC 8725 section 3.10 / PortSwigger "jwk" and "jku" labs: a token must never supply or point
// at its own key; such a header is refused outright rather than silently ignored.
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

function assertNoKeyCarryingHeader(header: JWSHeaderParameters): void {
  for (const name of KEY_CARRYING_HEADERS) {
    if (Object.hasOwn(header, name)) {
      throw new errors.JWSInvalid('key-carrying header parameters are not accepted');
    }
  }
}

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

function remoteKeys(
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

/**
 * Imports every configured key once, at start-up (a request never parses PEM or JWK), and
 * builds the key resolver, the signer and the public JWKS.
 *
 * @param options - resolved module options
 * @returns the key ring, frozen
 * @throws {AuthConfigurationError} listing every key that cannot be imported (bad PEM, a key
 *   that does not fit its algorithm, RSA under 2048 bits, a public key that does not match its
 *   private key, duplicate key ids), by index
 * @example
 * const keyRing = await createKeyRing(resolveAuthOptions(options));
 * keyRing.jwks; // serve at /.well-known/jwks.json
 */
export async function createKeyRing(options: KeyRingConfig): Promise<KeyRing> {
  if (options.jwks !== null) {
    const algorithms = Object.freeze([options.algorithm]);
    return Object.freeze({
      signer: null,
      algorithms,
      jwks: Object.freeze({ keys: Object.freeze([]) }),
      ...remoteKeys(options.jwks, algorithms),
    });
  }

  // One list per key, so the problems come out in key order whatever the import order.
  const perKey: string[][] = options.keys.map(() => []);
  const imported = await Promise.all(
    options.keys.map(async (key, index) => {
      const problems = perKey[index] ?? [];
      try {
        return await importKey(key, index, options.algorithm, problems);
      } catch (cause) {
        problems.push(
          `keys[${index}]: could not be imported (${reason(cause)}); check its key material`,
        );
        return null;
      }
    }),
  );
  const problems = perKey.flat();
  const keys: ImportedKey[] = [];
  const kids = new Map<string, number>();
  imported.forEach((key, index) => {
    if (key === null) return;
    const previous = kids.get(key.kid);
    if (previous !== undefined) {
      problems.push(
        `keys[${index}].kid: '${key.kid}' is also the kid of keys[${previous}] (the same key twice?); remove the duplicate or give each key its own kid`,
      );
      return;
    }
    kids.set(key.kid, index);
    keys.push(key);
  });
  if (problems.length > 0) throw new AuthConfigurationError(problems);

  const ids = new WeakMap<object, string>(keys.map((key) => [key.verifyKey as object, key.id]));
  // A local set never changes after start-up; a new configuration builds a new ring.
  const keySet: KeySet = Object.freeze({ ids: new Set(keys.map((key) => key.id)) });
  const first = imported[0];
  const signer: AccessTokenSigner | null =
    first?.signKey != null
      ? Object.freeze({ kid: first.kid, alg: first.alg, key: first.signKey })
      : null;
  const published = keys.flatMap((key) =>
    key.publicJwk === null
      ? []
      : [Object.freeze({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' })],
  );
  return Object.freeze({
    signer,
    algorithms: Object.freeze([...new Set(keys.map((key) => key.alg))]),
    jwks: Object.freeze({ keys: Object.freeze(published) }),
    resolveKey: localResolver(keys),
    keyIdOf: (key: KeyMaterial) => ids.get(key as object),
    currentKeySet: () => keySet,
  });
}
