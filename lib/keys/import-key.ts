import { KeyObject } from 'node:crypto';
import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  importJWK,
  importPKCS8,
  importSPKI,
  type CryptoKey,
  type JWK,
} from 'jose';
import { AuthConfigurationError } from '../auth.errors.js';
import type { AccessTokenAlgorithm, KeyRingKey, KeyRingConfig } from './key-ring-config.js';

/** Key material jose signs or verifies with. */
export type KeyMaterial = CryptoKey | KeyObject | Uint8Array;

/** A key imported once at start-up, with the identity a cached verification remembers. */
export interface ImportedKey {
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
export const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

const MIN_RSA_BITS = 2048;

const EXPECTED_KEY: Record<Exclude<AccessTokenAlgorithm, 'HS256'>, string> = {
  ES256: 'an EC P-256 key',
  ES384: 'an EC P-384 key',
  EdDSA: 'an Ed25519 key',
  RS256: `an RSA key of at least ${MIN_RSA_BITS} bits`,
  PS256: `an RSA key of at least ${MIN_RSA_BITS} bits`,
};

/** The public members of a JWK, by allowlist. */
export function publicMembers(jwk: JWK): JWK {
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

/** Whether a JWK's type, curve and size fit an asymmetric algorithm. */
export function fits(jwk: JWK, alg: Exclude<AccessTokenAlgorithm, 'HS256'>): boolean {
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

/** The message of an import failure, for a configuration error. */
export function reason(cause: unknown): string {
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

/**
 * Imports one configured key (PEM, JWK, KeyObject or HS256 secret) into the form jose signs
 * and verifies with; its kid defaults to the RFC 7638 thumbprint.
 *
 * @returns the key, or `null` with the reasons appended to `problems`
 */
export async function importKey(
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

/**
 * Imports every configured key once, at start-up (a request never parses PEM or JWK).
 *
 * @returns the keys in configuration order (`keys[0]` first)
 * @throws {AuthConfigurationError} listing every key that cannot be imported (bad PEM, a key
 *   that does not fit its algorithm, RSA under 2048 bits, a public key that does not match its
 *   private key, duplicate key ids), by index
 */
export async function importKeys(
  options: Pick<KeyRingConfig, 'keys' | 'algorithm'>,
): Promise<ImportedKey[]> {
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

  return keys;
}
