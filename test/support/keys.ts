import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { ACCESS_TOKEN_ALGORITHMS } from '../../lib/options/auth-options.schema.js';
import type {
  AccessTokenAlgorithm,
  AuthKeyOptions,
  AuthModuleOptions,
} from '../../lib/options/auth-module-options.js';

/** The asymmetric algorithms the module supports. */
export type AsymmetricAlgorithm = Exclude<AccessTokenAlgorithm, 'HS256'>;

/** Every supported algorithm, for `it.each`. */
export const ALL_ALGORITHMS: readonly AccessTokenAlgorithm[] = ACCESS_TOKEN_ALGORITHMS;

/** Every asymmetric algorithm, for `it.each`. */
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = [
  'ES256',
  'ES384',
  'EdDSA',
  'RS256',
  'PS256',
];

/** `iss` of test tokens. */
export const TEST_ISSUER = 'https://auth.test.example';
/** `aud` of test tokens. */
export const TEST_AUDIENCE = 'test-api';

/** A key pair in every form the module accepts. */
export interface TestKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** PKCS#8 PEM. */
  readonly privatePem: string;
  /** SPKI PEM. */
  readonly publicPem: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

function toTestKeyPair(pair: { privateKey: KeyObject; publicKey: KeyObject }): TestKeyPair {
  return Object.freeze({
    ...pair,
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateJwk: pair.privateKey.export({ format: 'jwk' }) as JWK,
    publicJwk: pair.publicKey.export({ format: 'jwk' }) as JWK,
  });
}

function generate(alg: AsymmetricAlgorithm): TestKeyPair {
  switch (alg) {
    case 'ES256':
      return toTestKeyPair(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    case 'ES384':
      return toTestKeyPair(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
    case 'EdDSA':
      return toTestKeyPair(generateKeyPairSync('ed25519'));
    case 'RS256':
    case 'PS256':
      return toTestKeyPair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  }
}

const pairs = new Map<string, TestKeyPair>();

/**
 * A key pair for `alg`, generated once per process (RSA generation is slow). `variant` gives
 * further independent pairs of the same algorithm, e.g. an attacker's key or a rotated key.
 */
export function testKeyPair(alg: AsymmetricAlgorithm, variant = 'default'): TestKeyPair {
  const id = `${alg}:${variant}`;
  let pair = pairs.get(id);
  if (pair === undefined) {
    pair = generate(alg);
    pairs.set(id, pair);
  }
  return pair;
}

/** An RSA key pair of `bits` bits, generated once per process (for the < 2048-bit refusal). */
export function rsaKeyPair(bits: number): TestKeyPair {
  const id = `RSA${bits}`;
  let pair = pairs.get(id);
  if (pair === undefined) {
    pair = toTestKeyPair(generateKeyPairSync('rsa', { modulusLength: bits }));
    pairs.set(id, pair);
  }
  return pair;
}

const secrets = new Map<string, Uint8Array>();

/** A random 32-byte HS256 secret, generated once per process and variant. */
export function testSecret(variant = 'default'): Uint8Array {
  let secret = secrets.get(variant);
  if (secret === undefined) {
    secret = new Uint8Array(randomBytes(32));
    secrets.set(variant, secret);
  }
  return secret;
}

/** The signing key entry (`keys[n]`) for `alg`: a PKCS#8 PEM, or the secret for HS256. */
export function testKey(alg: AccessTokenAlgorithm, variant = 'default'): AuthKeyOptions {
  return alg === 'HS256'
    ? { algorithm: alg, secret: testSecret(variant) }
    : { algorithm: alg, privateKey: testKeyPair(alg, variant).privatePem };
}

/**
 * Valid module options signing with `alg`, with no refresh sessions; `overrides` replace
 * top-level options.
 */
export function testAuthOptions(
  alg: AccessTokenAlgorithm = 'ES256',
  overrides: Partial<AuthModuleOptions> = {},
): AuthModuleOptions {
  return {
    algorithm: alg,
    keys: [testKey(alg)],
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    ...overrides,
  };
}
