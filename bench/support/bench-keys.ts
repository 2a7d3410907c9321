import {
  createHmac,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { SignJWT, importPKCS8, type CryptoKey } from 'jose';

/** The algorithms the benchmarks compare. */
export const BENCH_ALGORITHMS = ['ES256', 'EdDSA', 'HS256'] as const;
export type BenchAlgorithm = (typeof BENCH_ALGORITHMS)[number];

/** `iss` and `aud` of every benchmark token; every app under test pins both. */
export const BENCH_ISSUER = 'https://auth.bench.test';
export const BENCH_AUDIENCE = 'bench-api';

/** Key material handed to a server process as JSON (PEM strings, never KeyObjects). */
export interface BenchKeyMaterial {
  readonly algorithm: BenchAlgorithm;
  readonly kid: string;
  /** PKCS#8 PEM (ES256, EdDSA). */
  readonly privateKeyPem?: string;
  /** SPKI PEM (ES256, EdDSA): what the official recipe passes as `secretOrKey`. */
  readonly publicKeyPem?: string;
  /** HS256: a 48-character shared secret, used as UTF-8 bytes by every app. */
  readonly secret?: string;
}

/** Fresh key material for one algorithm. */
export function createKeyMaterial(algorithm: BenchAlgorithm): BenchKeyMaterial {
  const kid = `bench-${algorithm.toLowerCase()}`;
  if (algorithm === 'HS256') {
    return { algorithm, kid, secret: randomBytes(36).toString('base64url') };
  }
  const { privateKey, publicKey } =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
  return {
    algorithm,
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

async function signingKey(material: BenchKeyMaterial): Promise<KeyObject | CryptoKey | Uint8Array> {
  if (material.secret !== undefined) return new TextEncoder().encode(material.secret);
  return importPKCS8(material.privateKeyPem!, material.algorithm);
}

/**
 * Mints `count` distinct RFC 9068 access tokens (`typ: at+jwt`, `kid`, `iss`, `aud`, `sub`,
 * `iat`, `exp`, `jti`, `roles`) valid for `ttlSeconds`: what the module itself issues.
 */
export async function mintTokens(
  material: BenchKeyMaterial,
  count: number,
  ttlSeconds = 900,
  tokenLength = 0,
): Promise<string[]> {
  // A `pad` claim brings the token to about `tokenLength` characters (base64url: 4 per 3 bytes).
  const pad =
    tokenLength > 0
      ? { pad: 'p'.repeat(Math.max(0, Math.floor(((tokenLength - 400) * 3) / 4))) }
      : {};
  const key = await signingKey(material);
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let index = 0; index < count; index += 1) {
    tokens.push(
      await new SignJWT({ roles: ['user'], sid: `session-${index % 997}`, ...pad })
        .setProtectedHeader({ alg: material.algorithm, kid: material.kid, typ: 'at+jwt' })
        .setIssuer(BENCH_ISSUER)
        .setAudience(BENCH_AUDIENCE)
        .setSubject(String(1000 + (index % 5000)))
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .setJti(randomUUID())
        .sign(key),
    );
  }
  return tokens;
}

/**
 * An endless source of distinct HS256 access tokens, a few microseconds each, for runs too long
 * to pre-mint (the memory benchmark's million requests). Same claims as {@link mintTokens},
 * plus, when `tokenLength` is given, a `pad` claim that brings each token to about that length
 * (identity providers that put groups or permissions in the token make them that large).
 */
export function hs256TokenSource(
  material: BenchKeyMaterial,
  ttlSeconds = 900,
  tokenLength = 0,
): () => string {
  if (material.secret === undefined) throw new TypeError('hs256TokenSource needs HS256 material');
  const header = Buffer.from(
    JSON.stringify({ alg: 'HS256', kid: material.kid, typ: 'at+jwt' }),
  ).toString('base64url');
  const secret = Buffer.from(material.secret, 'utf8');
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  // base64url: 4 characters per 3 bytes; the rest of the token is about 330 characters.
  const pad =
    tokenLength > 0
      ? 'p'.repeat(Math.max(0, Math.floor(((tokenLength - 330) * 3) / 4)))
      : undefined;
  return () => {
    counter += 1;
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({
        roles: ['user'],
        sid: `session-${counter % 997}`,
        iss: BENCH_ISSUER,
        aud: BENCH_AUDIENCE,
        sub: String(1000 + (counter % 5000)),
        iat: now,
        exp: now + ttlSeconds,
        jti: `${prefix}-${counter}`,
        ...(pad === undefined ? {} : { pad }),
      }),
    ).toString('base64url');
    const input = `${header}.${payload}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
}
